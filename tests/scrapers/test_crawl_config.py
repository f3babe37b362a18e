"""The crawl configuration: defaults, per-site overrides, allowed hosts, clear errors."""

from pathlib import Path

import pytest

from scrapers.config import ConfigError, Politeness, load_config, parse_config

REPO = Path(__file__).resolve().parents[2]


def test_example_config_loads():
    config = load_config(REPO / "scrapers" / "example.toml")
    assert [s.name for s in config.sites] == ["trs", "hanweb"]
    assert config.sites[0].politeness.delay == 0.2 and config.sites[1].politeness.delay == 0.1
    assert config.sites[1].politeness.timeout == 1.0  # the file's defaults reach every site


def test_defaults_hosts_and_patterns(tmp_path):
    config = parse_config({"site": [{
        "name": "a", "start_urls": ["https://www.a.gov.cn/nb/index.html"], "region": "福建省平潭县",
        "exclude_patterns": ["/jdhy/"], "report_patterns": ["/t\\d{8}_\\d+\\.htm$"]}]}, base_dir=tmp_path)
    site = config.sites[0]
    assert site.politeness == Politeness() and site.hints == {"region": "福建省平潭县"}
    assert site.allows("https://www.a.gov.cn/nb/t20210308_1.htm")
    assert not site.allows("https://www.a.gov.cn/jdhy/x.htm")  # excluded
    assert not site.allows("https://a.gov.cn/nb/x.htm") and not site.allows("https://www.a.gov.cn:8443/x.htm")
    assert not site.allows("ftp://www.a.gov.cn/x")
    assert site.report_patterns[0].search("https://www.a.gov.cn/nb/202103/t20210308_87885.htm")
    assert config.archive_dir is None
    assert parse_config({"archive_dir": "arc", "site": [{"name": "a", "start_urls": ["http://x/"]}]},
                        base_dir=tmp_path).archive_dir == tmp_path / "arc"


@pytest.mark.parametrize("data, message", [
    ({}, "配置中没有 [[site]] 表"),
    ({"site": [{"start_urls": ["http://x/"]}]}, "第 1 个站点：缺少 name"),
    ({"site": [{"name": "a"}]}, "站点 'a'：start_urls 至少要列出一个网址"),
    ({"site": [{"name": "a", "start_urls": ["www.x.cn/"]}]}, "站点 'a'：起始网址 'www.x.cn/' 不是 http(s) 网址"),
    ({"site": [{"name": "a", "start_urls": ["http://x/"], "list_patterns": ["("]}]}, "站点 'a'：正则表达式 '(' 有误："),
    ({"site": [{"name": "a", "start_urls": ["http://x/"], "colour": 1}]}, "站点 'a'：没有这些配置项：colour"),
    ({"politeness": {"delay": -1}, "site": [{"name": "a", "start_urls": ["http://x/"]}]}, "politeness.delay 不能是负数"),
    ({"politeness": {"speed": 1}, "site": [{"name": "a", "start_urls": ["http://x/"]}]}, "politeness 中没有这些设置：speed"),
    ({"site": [{"name": "a", "start_urls": ["http://x/"]}, {"name": "a", "start_urls": ["http://y/"]}]}, "站点名称（name）不能重复"),
])
def test_errors_say_what_to_fix(data, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        parse_config(data)


def test_bad_toml_and_unknown_site(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[site]\nname=", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.toml 不是有效的 TOML："):
        load_config(bad)
    with pytest.raises(ConfigError, match="无法读取 .*missing.toml（文件不存在）$"):
        load_config(tmp_path / "missing.toml")
    config = parse_config({"site": [{"name": "a", "start_urls": ["http://x/"]}]})
    with pytest.raises(ConfigError, match="^没有名为 b 的站点（配置中有：a）$"):
        config.select(["b"])
