"""Failures of the world around nianbao — disk full, permission denied, a read-only or locked index — as one line
that says what happened and what to do, with a sysexits-style exit code; anything else is a bug and keeps its
traceback.  Pure: the CLI prints what ``explain`` returns."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

EX_IOERR, EX_TEMPFAIL, EX_NOPERM = 74, 75, 77  # sysexits.h


# errno → why a file could not be opened, as a user is told it (the system's own words are English)
_OS_REASONS = {errno.ENOENT: "文件不存在", errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限",
               errno.EISDIR: "这是目录，不是文件", errno.ENAMETOOLONG: "文件名过长", errno.EIO: "磁盘读写出错"}


def os_reason(e: OSError) -> str:
    """Why a file could not be opened, in Chinese (the system's words for an errno not listed)."""
    return _OS_REASONS.get(e.errno) or e.strerror or str(e)


def explain(e: BaseException, index_dir: Path) -> tuple[str, int] | None:
    """(one line in Chinese, exit code) for an environmental failure, None for anything else."""
    where = getattr(e, "filename", None) or index_dir
    if isinstance(e, OSError):
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            return f"磁盘已满，无法写入 {where}：腾出空间后重新运行（已保存的报告不会丢失，未完成的会重做）", EX_IOERR
        if e.errno in (errno.EACCES, errno.EPERM):
            return f"没有权限访问 {where}：检查目录权限，或用 --index 指定另一个目录", EX_NOPERM
        if e.errno == errno.EROFS:
            return f"{where} 所在的文件系统是只读的：只能检索，不能添加；或用 --index 指定可写的目录", EX_NOPERM
        return None
    if isinstance(e, sqlite3.OperationalError):
        text = str(e).lower()
        if "locked" in text or "busy" in text:
            return f"索引 {index_dir} 正被另一个进程写入：等它结束后再试", EX_TEMPFAIL
        if _read_only_filesystem(index_dir):  # SQLite says "unable to open" or "readonly": say which
            return f"{index_dir} 所在的文件系统是只读的：只能检索，不能添加；或用 --index 指定可写的目录", EX_NOPERM
        if "readonly" in text or "read-only" in text:
            return f"索引 {index_dir} 是只读的（没有写权限）：只能检索；要添加请检查目录权限", EX_NOPERM
        if "disk is full" in text or "full" in text:
            return f"磁盘已满，无法写入 {index_dir}：腾出空间后重新运行（已保存的报告不会丢失）", EX_IOERR
        if "unable to open" in text:
            return f"无法打开索引 {index_dir}：检查目录是否存在以及权限", EX_NOPERM
        if "disk i/o" in text:
            return f"读写索引 {index_dir} 时磁盘出错：检查磁盘后重新运行", EX_IOERR
        return None
    if type(e).__name__ == "IndexBusy":  # another live writer held the index past NIANBAO_LOCK_WAIT
        return f"{e}（等待时长可用环境变量 NIANBAO_LOCK_WAIT 设定，单位秒，默认 120）", EX_TEMPFAIL
    if type(e).__name__ == "LockError":  # whoosh.index.LockError, named so the CLI need not import Whoosh
        return f"索引 {index_dir} 正被另一个进程写入：等它结束后再试", EX_TEMPFAIL
    return None


def _read_only_filesystem(path: Path) -> bool:
    """Whether the nearest existing directory of ``path`` is on a file system mounted read-only."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False
