"""click's own words — Usage:, Options, Error:, "No such option" — in Chinese, like the rest of the CLI.

click marks every message it prints with gettext (``from gettext import gettext as _`` in each of its modules) but
ships no catalogues, and the process-wide gettext domain belongs to the host program, so a catalogue installed the
usual way would reach click only through the user's locale.  `install()` rebinds the two names click's modules call
to this catalogue instead; a message missing from it (a newer click) stays in English rather than failing.
"""

from __future__ import annotations

import sys

# msgid → 中文; placeholders ({name!r} …) are kept as click formats them after translation.
CATALOGUE: dict[str, str] = {
    "Usage:": "用法:",  # click adds the space and its section headings end in ":" too
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "Aborted!": "已中止。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少 {param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "No such command {name!r}.": "没有 {name!r} 这个命令。",
    "No such option {name!r}.": "没有 {name!r} 这个选项。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Invalid start character for option ({option})": "选项的开头字符无效（{option}）",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "Value must be an iterable.": "值必须可迭代。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数字。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是有效的布尔值，可用：{states}",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，不是目录。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是目录，不是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不可执行。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "unknown error": "未知错误",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "required": "必填",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不询问，直接执行。",
    "Error: invalid input": "错误：输入无效",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Repeat for confirmation": "再输入一次以确认",
    "Press any key to continue...": "按任意键继续…",
}

# (singular, plural) → 中文 (Chinese does not inflect: one form for every n).
PLURALS: dict[tuple[str, str], str] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): "多余的参数（{args}）",
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): "是不是要用 {possibilities}？",
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        "选项 {name!r} 需要 {nargs} 个值。",
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        "需要 {nargs} 个值，给了 {len} 个。",
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): "{value!r} 不是可选值之一：{choices}。",
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        "{value!r} 不符合格式 {formats}。",
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."): "需要 {len_type} 个值，给了 {len_value} 个。",
}


def gettext(message: str) -> str:
    return CATALOGUE.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    # every translation names only placeholders click passes to both forms (it formats with all of them)
    return PLURALS.get((singular, plural)) or (singular if n == 1 else plural)


def install() -> None:
    """Point every loaded click module's ``_`` / ``ngettext`` at this catalogue, and have help pages measure their
    columns in terminal cells (a Chinese character takes two), so options line up beside Chinese metavars."""
    import click.formatting

    from indexer.terminal import width

    click.formatting.term_len = lambda text: width(click.unstyle(text))
    for name, module in list(sys.modules.items()):
        if name == "click" or name.startswith("click."):
            if getattr(module, "_", None) is not None and callable(module._):
                module._ = gettext
            if hasattr(module, "ngettext"):
                module.ngettext = ngettext
