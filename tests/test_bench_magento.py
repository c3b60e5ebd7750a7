"""The pure parts of ``make bench-magento``: per-plan figures, /proc parsing, the fixture profile, answer checks and
the JSON line. No real Magento here: the benchmark itself runs it (docs/performance.md)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.magento import store
from bench.magento.__main__ import parse_args
from bench.magento.__main__ import read_plan_supported
from bench.magento.__main__ import summary
from bench.magento.measure import PLAN_FIELDS
from bench.magento.measure import PLANS
from bench.magento.measure import QueryCounter
from bench.magento.measure import Sample
from bench.magento.measure import Shopper
from bench.magento.measure import build_result
from bench.magento.measure import check_detailed
from bench.magento.measure import cycling_attempt
from bench.magento.measure import database_server_pid
from bench.magento.measure import metric_total
from bench.magento.measure import read_plans
from bench.magento.store import check_profile
from bench.magento.store import reindexed
from bench.procs import stat_cpu_seconds
from bench.stats import PhaseResult
from bench.stats import json_line

SHOPPER = Shopper(customer_id=7, email="user_7@example.com", orders=27)


def sample(plan: str, concurrency: int, latencies: list[float], *, errors: int = 0, cpu: float = 0.0,
           queries: int = 0) -> Sample:
    phase = PhaseResult(name=plan, concurrency=concurrency, seconds=10.0, latencies_ms=latencies, errors=errors)
    return Sample(plan=plan, phase=phase, fpm_cpu_seconds=cpu, queries=queries, bridge_cpu_seconds=0.01,
                  db_cpu_seconds=cpu / 2)


def test_figures_pool_the_rounds_of_each_plan_and_concurrency():
    samples = [sample("stock", 1, [100.0, 300.0], cpu=0.4, queries=40),
               sample("module", 1, [50.0], cpu=0.1, queries=5),
               sample("stock", 1, [200.0], errors=1, cpu=0.4, queries=40),  # a second round
               sample("stock", 8, [1000.0, 3000.0], cpu=0.4, queries=40),
               sample("module", 8, [400.0, 600.0], cpu=0.1, queries=5)]
    result = build_result(samples, {"magento": "2.4.8-p2"})
    stock, module = result["stock"], result["module"]
    assert stock["p50_c1"] == 200.0  # 100, 200, 300 from two rounds
    assert stock["p95_c1"] == pytest.approx(290.0)
    assert stock["p50_c8"] == 2000.0
    # CPU and queries are spread over every attempt, failed ones included: 7 attempts, 1.2 s, 120 queries.
    assert stock["cpu_s_per_lookup"] == pytest.approx(1.2 / 6, abs=1e-4)
    assert stock["queries_per_lookup"] == pytest.approx(120 / 6, abs=0.1)
    assert (stock["lookups"], stock["errors"]) == (5, 1)
    assert stock["db_server_cpu_s_per_lookup"] == pytest.approx(0.6 / 6, abs=1e-4)
    assert module["cpu_s_per_lookup"] == pytest.approx(0.2 / 3, abs=1e-4)
    assert result["cpu_ratio"] == pytest.approx((0.2 / 3) / (1.2 / 6), abs=1e-3)
    assert result["p50_ratio"] == pytest.approx(500.0 / 2000.0)
    assert result["magento"] == "2.4.8-p2"


def test_json_line_has_every_plan_field_even_when_a_plan_measured_nothing():
    result = build_result([sample("stock", 1, [100.0], cpu=0.2)], {})
    line = json.loads(json_line(result))
    assert set(PLANS) <= set(line)
    for plan in PLANS:
        assert set(PLAN_FIELDS) <= set(line[plan])
    assert line["module"]["p50_c1"] is None
    assert line["cpu_ratio"] is None and line["p50_ratio"] is None  # nothing to divide


def test_proc_stat_cpu_is_utime_plus_stime_after_the_last_parenthesis():
    # Field 2 is the command name in parentheses and may itself hold ") " and spaces.
    line = "4242 (php-fpm: pool (x) y) S 1 4242 4242 0 -1 4194624 10 0 0 0 250 50 0 0 20 0 1 0 100 0 0\n"
    assert stat_cpu_seconds(line, 100) == pytest.approx(3.0)
    assert stat_cpu_seconds(line, 250) == pytest.approx(1.2)


def test_own_proc_stat_parses():
    assert stat_cpu_seconds(Path("/proc/self/stat").read_text()) >= 0


def test_the_committed_profile_suits_the_benchmark():
    assert check_profile(store.PROFILE.read_text(), 20) == []


@pytest.mark.parametrize(("change", "problem"), [
    (("<orders>40000</orders>", "<orders>4000</orders>"), "at least 10000"),
    (("<customers>1500</customers>", "<customers>39000</customers>"), "fewer per customer"),
    (("<orders>40000</orders>", "<order>40000</order>"), "unknown key <order>"),
    (("../../config/description.xml", "../../../etc/passwd"), "not one of the toolkit"),
    (("</profile>", "<configs><config><path>a</path><scope>default</scope><scopeId>0</scopeId><value>1</value>"
      "</config></configs></profile>"), "two or more"),
    (("</profile>", "<indexers><indexer><id>catalogsearch_fulltext</id><set_scheduled>false</set_scheduled>"
      "</indexer></indexers></profile>"), "no search engine"),
])
def test_profile_check_catches_what_breaks_the_generator_or_the_benchmark(change, problem):
    text = store.PROFILE.read_text()
    assert change[0] in text
    problems = check_profile(text.replace(*change), 20)
    assert any(problem in found for found in problems), problems


def test_profile_keys_are_those_of_magentos_own_small_profile():
    # setup/performance-toolkit/profiles/ce/small.xml's keys, minus the inventory module's sources/stocks.
    small = {"admin_users", "websites", "store_groups", "store_views", "assign_entities_to_all_websites",
             "simple_products", "configurable_products", "product-images", "categories", "categories_nesting_level",
             "customers", "catalog_price_rules", "cart_price_rules", "cart_price_rules_floor", "coupon_codes",
             "product_attribute_sets", "product_attribute_sets_attributes", "product_attribute_sets_attributes_values",
             "order_quotes_enable", "order_simple_product_count_from", "order_simple_product_count_to", "orders",
             "tax_rates_file", "configs", "indexers"}
    assert small <= store.PROFILE_KEYS


def test_reindex_skips_catalog_search_and_the_data_export_feeds():
    ids = ["customer_grid", "catalogsearch_fulltext", "catalog_product_price", "sales_order_data_exporter",
           "store_data_exporter", "inventory"]
    assert reindexed(ids) == ["customer_grid", "catalog_product_price", "inventory"]


def test_cache_key_follows_the_profile_the_shape_and_the_port(tmp_path, monkeypatch):
    archive = tmp_path / "magento.tar.zst"
    archive.write_bytes(b"archive")
    (tmp_path / "setup.sh").write_text("#!/bin/sh\n")
    profile = tmp_path / "profile.xml"
    profile.write_text("<config/>")
    monkeypatch.setattr(store, "PROFILE", profile)
    first = store.cache_key(archive, port=8590, db="gladly_bench", workers=4)
    assert store.cache_key(archive, port=8590, db="gladly_bench", workers=4) == first
    assert store.cache_key(archive, port=8591, db="gladly_bench", workers=4) != first
    assert store.cache_key(archive, port=8590, db="gladly_bench", workers=2) != first
    profile.write_text("<config><profile/></config>")
    assert store.cache_key(archive, port=8590, db="gladly_bench", workers=4) != first
    monkeypatch.setattr(store, "SHAPE_SQL", ("SELECT 1",))
    profile.write_text("<config/>")
    assert store.cache_key(archive, port=8590, db="gladly_bench", workers=4) != first


def profile_answer(transactions: int, customer_id: str = "7") -> dict:
    return {"results": [{"externalCustomerId": customer_id, "transactions": [{}] * transactions}]}


def test_detailed_answer_must_show_the_newest_orders_of_that_shopper():
    assert check_detailed(SHOPPER, 200, profile_answer(20), 20) is None
    assert check_detailed(Shopper(8, "user_8@example.com", 3), 200, profile_answer(3, "8"), 20) is None
    assert "19 transactions" in check_detailed(SHOPPER, 200, profile_answer(19), 20)
    assert "got profile '9'" in check_detailed(SHOPPER, 200, profile_answer(20, "9"), 20)
    assert "HTTP 504" in check_detailed(SHOPPER, 504, {"error": "magento_timeout"}, 20)
    assert "expected exactly 1 result" in check_detailed(SHOPPER, 200, {"results": []}, 20)


def test_cycling_attempt_goes_through_the_shoppers_in_turn(monkeypatch):
    asked = []

    class Response:
        status_code = 200

        def __init__(self, body):
            self.content = json.dumps(profile_answer(20, body["query"]["externalCustomerId"])).encode()

    class Session:
        def post(self, url, data, headers, timeout):
            body = json.loads(data)
            asked.append(body["query"]["externalCustomerId"])
            assert headers["Gladly-Authorization"].startswith("SigningAlgorithm=hmac-sha256")
            return Response(body)

    shoppers = [Shopper(1, "a@example.com", 30), Shopper(2, "b@example.com", 30)]
    attempt = cycling_attempt("http://bridge", "k" * 32, shoppers, 20)
    assert [attempt(Session()) for _ in range(3)] == [None, None, None]
    assert asked == ["1", "2", "1"]


def test_metric_total_sums_every_label_set_and_reads_by_plan_are_labelled():
    text = ("# HELP bridge_magento_calls Magento REST calls.\n# TYPE bridge_magento_calls counter\n"
            'bridge_magento_calls_total{route="GET /V1/orders",status="200"} 40.0\n'
            'bridge_magento_calls_total{route="GET /V1/customers/{id}",status="200"} 10.0\n'
            'bridge_magento_calls_created{route="GET /V1/orders",status="200"} 1.7e9\n'
            "# HELP bridge_magento_read_plan Reads by plan.\n# TYPE bridge_magento_read_plan counter\n"
            'bridge_magento_read_plan_total{outcome="ok",plan="module"} 90.0\n'
            'bridge_magento_read_plan_total{outcome="fallback",plan="module"} 2.0\n')
    assert metric_total(text, "bridge_magento_calls_total") == 50.0
    assert metric_total(text, "bridge_lookups_total") == 0.0
    assert read_plans(text) == {"module ok": 90.0, "module fallback": 2.0}


def test_query_counter_reads_the_store_users_statistics_and_restores_the_setting():
    statements = []

    def sql(query):
        statements.append(query)
        if query.startswith("SELECT @@GLOBAL.userstat"):
            return [("0",)]
        if "USER_STATISTICS" in query:
            return [("1234",)]
        return []

    counter = QueryCounter("gladly_bench", sql)
    assert counter.method == "user_statistics"
    assert counter.read() == 1234
    assert "USER = 'gladly_bench'" in statements[-1]
    counter.close()
    assert statements[-1] == "SET GLOBAL userstat = 0"


def test_query_counter_falls_back_to_the_servers_questions():
    def sql(query):
        if query.startswith("SET GLOBAL"):
            raise RuntimeError("Access denied; you need the SUPER privilege")
        if query.startswith("SELECT @@GLOBAL"):
            return [("0",)]
        return [("Questions", "987")]

    counter = QueryCounter("gladly_bench", sql)
    assert (counter.method, counter.read()) == ("global_questions", 987)


def test_options_and_the_unknown_read_plan_note():
    args = parse_args(["--concurrency", "8,1,8", "--magento", "2.4.6"])
    assert args.concurrency == [1, 8] and args.magento == "2.4.6"
    with pytest.raises(SystemExit):
        parse_args(["--concurrency", "0"])
    with pytest.raises(SystemExit):
        parse_args(["--magento", "2.3.7"])
    result = build_result([sample("stock", 8, [1.0]), sample("module", 8, [1.0])], {
        "read_plan_setting": False, "answers": {"compared": 5, "identical": 5}})
    assert ("BRIDGE_READ_PLAN is unknown" in summary(result)) is True
    result["read_plan_setting"] = True
    assert "BRIDGE_READ_PLAN is unknown" not in summary(result)
    assert isinstance(read_plan_supported(), bool)


def test_database_server_is_found_by_its_process_name(tmp_path):
    for pid, name in ((12, "bash"), (34, "mariadbd"), (56, "php-fpm8.2")):
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "comm").write_text(name + "\n")
    (tmp_path / "self").mkdir()
    assert database_server_pid(tmp_path) == 34
    (tmp_path / "34" / "comm").write_text("sleep\n")
    assert database_server_pid(tmp_path) is None
