"""The page in headless Chromium on examples/hub_vs_switch.yaml: frames drawn on the right links,
the hub's and the switch's floods, stepping back restoring tables, filters, the frame detail,
tables equal to --show, no network request from file://, user text shown and never run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli

import browserlab as browser
from simnets import ROUTED_HUBS_YAML as ROUTED_HUBS

pytestmark = pytest.mark.skipif(browser.missing() is not None, reason=str(browser.missing()))

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HUB = str(EXAMPLES / "hub_vs_switch.yaml")
PINGS = ("--do", "pc1 ping pc3 -c 2 -i 0.2", "--do", "at 1s pc1 ping pc2 -c 2 -i 0.2")


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the main states' screenshots go (a temp folder; its path is printed with -s)."""
    folder = tmp_path_factory.mktemp("viewer-screenshots")
    print(f"\nviewer screenshots in {folder}")
    return folder


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("page") / "hub.html"
    result = CliRunner().invoke(cli, ["sim", "run", HUB, *PINGS, "--until", "2s", "--html", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def driver():  # type: ignore[no-untyped-def]
    chromium = browser.start()
    yield chromium
    chromium.quit()


@pytest.fixture
def opened(driver, page):  # type: ignore[no-untyped-def]
    browser.open_page(driver, page)
    return driver


def screenshot(driver, folder: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Save the window; fail if it is blank (one colour, or almost)."""
    from PIL import Image

    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    image = Image.open(path).convert("RGB").resize((200, 130))
    colours = image.getcolors(maxcolors=200 * 130)
    assert colours is not None and len(colours) > 20, f"{path} is blank"
    return path


def js(driver, script: str):  # type: ignore[no-untyped-def]
    return driver.execute_script(script)


def click(driver, test: str, times: int = 1) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    button = driver.find_element(By.CSS_SELECTOR, f'[data-test="{test}"]')
    for _ in range(times):
        button.click()


def step(driver) -> int:  # type: ignore[no-untyped-def]
    return js(driver, "return lanlab.viewer.step")


def first_arp_request(driver) -> int:  # type: ignore[no-untyped-def]
    return js(
        driver,
        """const r = lanlab.viewer.run, e = r.doc.events;
        for (let i = 0; i < r.count; i++) if (e.kind[i] === 'tx' && e.proto[i] === 'ARP' && r.name(i) === 'pc1') return i;
        return -1;""",
    )


def table_text(driver, name: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return js(
        driver,
        f"""const t = document.querySelector('[data-test="{name}"]');
        return t ? Array.from(t.querySelectorAll('tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent)) : null;""",
    )


def test_first_arp_request_is_drawn_on_pc1_sw1(opened, shots):
    """Stepping forward to pc1's first ARP request draws an ARP dot on the pc1-sw1 link, leaving pc1."""
    target = first_arp_request(opened)
    assert target >= 0
    click(opened, "forward", target + 1)
    assert step(opened) == target
    drawn = js(opened, "return lanlab.topology.drawn()")
    assert {"from": "pc1:eth0", "to": "sw1:p1", "proto": "ARP", "tx": target} in drawn["packets"]
    screenshot(opened, shots, "1-first-arp-request")


def test_the_flood_reaches_every_other_port(opened, shots):
    """Stepping on, the request leaves sw1 by p2 and p3 (not p1, where it came in) and the hub
    repeats it out of p2 and p3; the flood steps mark those links."""
    target = first_arp_request(opened)
    click(opened, "forward", target + 1)
    frame = js(opened, f"return lanlab.viewer.run.doc.events.frame[{target}]")
    sent_from, flooded_links = set(), set()
    for _ in range(14):
        click(opened, "forward")
        drawn = js(opened, "return lanlab.topology.drawn()")
        for packet in drawn["packets"]:
            if js(opened, f"return lanlab.viewer.run.doc.events.frame[{packet['tx']}]") == frame:
                sent_from.add(packet["from"])
        flooded_links |= set(drawn["flooding"])
        if js(opened, "return lanlab.viewer.run.doc.events.kind[lanlab.viewer.step]") == "flood":
            screenshot(opened, shots, f"2-flood-at-{step(opened)}")
    assert {"sw1:p2", "sw1:p3", "hub1:p2", "hub1:p3"} <= sent_from
    assert "sw1:p1" not in sent_from and "hub1:p1" not in sent_from
    assert len(flooded_links) == 4


def test_stepping_back_restores_the_mac_table(opened):
    """The switch's MAC table one step before a learn is the same after going forward and back."""
    learn = js(opened, "return lanlab.viewer.run.doc.events.kind.indexOf('learn', 20)")
    click(opened, "forward", learn)  # now at learn - 1
    before = table_text(opened, "mac-sw1")
    click(opened, "forward", 3)
    after = table_text(opened, "mac-sw1")
    assert after != before
    click(opened, "back", 3)
    assert step(opened) == learn - 1
    assert table_text(opened, "mac-sw1") == before


def test_filter_icmp_leaves_no_arp_row(opened, shots):
    """Choosing ICMP in the protocol filter: every listed row is ICMP, none ARP, and the count says so."""
    from selenium.webdriver.support.ui import Select
    from selenium.webdriver.common.by import By

    Select(opened.find_element(By.CSS_SELECTOR, '[data-test="filter-proto"]')).select_by_value("ICMP")
    rows = js(
        opened,
        "return Array.from(document.querySelectorAll('[data-test=event-rows] .row .proto')).map(s => s.textContent)",
    )
    assert rows and set(rows) == {"ICMP"}
    shown = js(opened, "return lanlab.events.shown.map(i => lanlab.viewer.run.doc.events.proto[i])")
    assert "ARP" not in shown and len(shown) > 10
    count = opened.find_element(By.CSS_SELECTOR, '[data-test="event-count"]').text
    assert count.startswith(f"{len(shown)} of ")
    screenshot(opened, shots, "3-filter-icmp")


def test_open_a_frame_and_find_the_ipv4_ttl_and_its_byte(opened, shots):
    """Clicking an ICMP row shows its layers; the IPv4 ttl field reads 64 and lights byte 22 in the hex dump."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.action_chains import ActionChains

    index = js(opened, "return lanlab.viewer.run.doc.events.proto.indexOf('ICMP')")
    js(opened, f"lanlab.viewer.go({index} + 5)")  # the list scrolls to show the row
    js(
        opened,
        f"document.querySelector('.row[data-index=\"{index}\"]').dispatchEvent(new MouseEvent('click', {{bubbles: true}}))",
    )
    assert step(opened) == index
    field = opened.find_element(By.CSS_SELECTOR, '[data-field="IPv4.ttl"]')
    assert field.text == "ttl: 64"
    ActionChains(opened).move_to_element(field).perform()
    lit = js(opened, "return Array.from(document.querySelectorAll('.byte.lit')).map(b => Number(b.dataset.offset))")
    assert lit == [22]
    byte = opened.find_element(By.CSS_SELECTOR, '.byte[data-offset="23"]')
    ActionChains(opened).move_to_element(byte).perform()
    assert opened.find_element(By.CSS_SELECTOR, ".field.lit").get_attribute("data-field") == "IPv4.proto"
    assert opened.find_element(By.CSS_SELECTOR, '[data-test="why"]').text
    screenshot(opened, shots, "4-frame-detail")


def test_tables_on_the_page_equal_show_at_that_time(opened, shots):
    """At the last event of an instant, the page's MAC and ARP tables (with the interface) are what `sim run --until T
    --json` reports for the same run (MAC age to the millisecond, as --show prints it)."""
    for kind in ("learn", "deliver"):
        index = js(
            opened,
            f"""const e = lanlab.viewer.run.doc.events; let i = e.kind.lastIndexOf('{kind}');
            while (i + 1 < e.t.length && e.t[i + 1] === e.t[i]) i++; return i;""",
        )
        js(opened, f"lanlab.viewer.go({index})")
        t = js(opened, f"return lanlab.viewer.run.doc.events.t[{index}]")
        result = CliRunner().invoke(cli, ["sim", "run", HUB, *PINGS, "--until", f"{t}ns", "--json"])
        tables = json.loads(result.output)["tables"]
        assert table_text(opened, "mac-sw1") == [[r["mac"], r["port"], f"{r['age']:.3f}"] for r in tables["sw1"]["mac"]]
        for host in ("pc1", "pc2", "pc3", "pc4"):
            assert table_text(opened, f"arp-{host}") == [
                [r["ip"], r["mac"], r["interface"]] for r in tables[host]["arp"]
            ]
    screenshot(opened, shots, "5-tables")


def test_the_fragment_opens_the_page_at_that_event(driver, page):
    """#e=40 opens the page at event 40 as the list numbers it; stepping rewrites the fragment."""
    driver.get(
        "about:blank"
    )  # loaded anew: the same page with a fragment would only move to it, keeping another test's filter
    browser.open_page(driver, page, "#e=40")
    assert step(driver) == 39
    assert driver.execute_script("return document.querySelector('.row.current span').textContent") == "40"
    click(driver, "forward")
    import time

    time.sleep(0.3)
    assert driver.execute_script("return location.hash") == "#e=41"


def test_opened_from_file_the_page_makes_no_network_request(driver, page):
    """Every request the page makes is for itself (or data:/blob: URLs inside it)."""
    browser.requests_made(driver)
    browser.open_page(driver, page)
    click(driver, "forward", 30)
    urls = browser.requests_made(driver)
    outside = [url for url in urls if not url.startswith(("data:", "blob:")) and url != page.resolve().as_uri()]
    assert urls and outside == []


def test_user_text_is_shown_not_run(driver, tmp_path: Path):
    """A network called <script>...</script> (its name in the header) and nodes called <svg onload=...> and
    <img onerror=...> (their tables' titles) appear as text; nothing they say runs."""
    topology = tmp_path / "evil.yaml"
    network = "<script>window.pwned=3</script>"
    evil = "<svg onload=window.pwned=1>"
    image = "<img src=x onerror=window.pwned=2>"
    topology.write_text(
        f'name: "{network}"\nnodes:\n  "{evil}": {{kind: host, ip: 198.18.0.1/24}}\n'
        f'  "{image}": {{kind: host, ip: 198.18.0.2/24}}\n  sw1: {{kind: switch}}\n'
        f'links:\n  - ["{evil}:eth0", sw1:p1]\n  - ["{image}:eth0", sw1:p2]\n'
    )
    out = tmp_path / "evil.html"
    result = CliRunner().invoke(cli, ["sim", "run", str(topology), "--until", "1s", "--html", str(out)])
    browser.open_page(driver, out)
    js(driver, "lanlab.viewer.go(lanlab.viewer.run.count - 1)")
    assert driver.execute_script("return window.pwned") is None
    text = driver.execute_script("return document.body.innerText")
    assert f"{evil} ARP table" in text and f"{image} ARP table" in text, result.output
    assert network in text
    assert driver.execute_script("return document.querySelectorAll('img, svg[onload]').length") == 0


def test_a_stopped_storm_shows_its_banner_and_its_loop_glows(driver, tmp_path: Path, shots):
    """storm.yaml stopped by --max-events: the banner says so; from the storm event on, the loop's
    three switch-to-switch links are highlighted, never the host links."""
    out = tmp_path / "storm.html"
    CliRunner().invoke(cli, ["sim", "run", str(EXAMPLES / "storm.yaml"), "--max-events", "3000", "--html", str(out)])
    browser.open_page(driver, out)
    from selenium.webdriver.common.by import By

    assert "--max-events 3000" in driver.find_element(By.CSS_SELECTOR, '[data-test="banner"]').text
    loop = """const t = lanlab.topology, d = lanlab.viewer.run.doc;
        return d.links.filter((l, i) => t.cy.getElementById('link' + i).hasClass('loop')).map(l => l.a + '-' + l.b);"""
    storm = js(driver, "return lanlab.viewer.run.doc.events.kind.indexOf('storm')")
    js(driver, f"lanlab.viewer.go({storm - 1})")
    assert js(driver, loop) == []
    js(driver, "lanlab.viewer.go(lanlab.viewer.run.count - 1)")
    assert set(js(driver, loop)) == {"sw1:p1-sw2:p1", "sw2:p2-sw3:p2", "sw3:p1-sw1:p2"}
    screenshot(driver, shots, "6-storm")


def test_a_leasing_hosts_label_shows_its_address_from_the_bound_event_on(driver, tmp_path: Path, shots):
    """dhcp.yaml: pc1's label is its name alone until the event that binds its lease, then its leased address
    (the label showed the address it ended with from step 0, before any DHCP frame); a fixed host keeps its own."""
    out = tmp_path / "dhcp.html"
    result = CliRunner().invoke(cli, ["sim", "run", str(EXAMPLES / "dhcp.yaml"), "--until", "3s", "--html", str(out)])
    assert result.exit_code == 0, result.output
    browser.open_page(driver, out)
    label = "return lanlab.topology.cy.getElementById(lanlab.topology.nodeId[arguments[0]]).data('label').split('\\n')"
    bound = js(
        driver,
        """const r = lanlab.viewer.run, e = r.doc.events;
        for (let i = 0; i < r.count; i++) if (r.name(i) === 'pc1' && e.kind[i] === 'dhcp' && (e.note[i] || '').startsWith('bound to ')) return i;
        return -1;""",
    )
    assert bound > 0
    for at, expected in ((-1, ["pc1"]), (bound - 1, ["pc1"]), (bound, ["pc1", "198.18.0.100"])):
        js(driver, f"lanlab.viewer.go({at})")
        assert driver.execute_script(label, "pc1") == expected, at
        assert driver.execute_script(label, "srv") == ["srv", "198.18.0.2"]
    screenshot(driver, shots, "dhcp-bound")


def test_program_consoles_show_lines_up_to_the_step(driver, tmp_path: Path, shots):
    """The programs tab: a program's lines appear once the step reaches their virtual time, as text."""
    program = tmp_path / "hello.py"
    program.write_text("import time\nprint('hello <b>world</b>')\ntime.sleep(0.5)\nprint('later')\n")
    out = tmp_path / "apps.html"
    CliRunner().invoke(
        cli,
        [
            "sim",
            "run",
            HUB,
            "--until",
            "1s",
            "--app",
            f"pc1={program}",
            "--do",
            "at 0.2s pc1 ping pc3 -c 1",
            "--html",
            str(out),
        ],
    )
    browser.open_page(driver, out)
    click(driver, "tab-programs")
    js(driver, "lanlab.viewer.go(0)")
    early = driver.find_element("id", "programs").text
    js(driver, "lanlab.viewer.go(lanlab.viewer.run.count - 1)")
    late = driver.find_element("id", "programs").text
    assert "hello <b>world</b>" in early and "later" not in early
    assert "later" in late
    screenshot(driver, shots, "7-programs")


def test_load_is_frames_per_second_a_ping_light_a_storm_heavy(opened, driver, tmp_path: Path):
    """A ping's few frames leave its links grey; a storm's loop links carry tens of thousands of
    frames per second and are drawn red and wide."""
    js(opened, "lanlab.viewer.go(lanlab.viewer.run.count - 1)")
    rates = js(opened, "return lanlab.topology.cy.edges().map(e => [e.data('rate'), e.data('colour')])")
    assert all(rate < 1000 and colour == "#aab" for rate, colour in rates)
    out = tmp_path / "storm.html"
    CliRunner().invoke(cli, ["sim", "run", str(EXAMPLES / "storm.yaml"), "--max-events", "20000", "--html", str(out)])
    browser.open_page(driver, out)
    js(driver, "lanlab.viewer.go(lanlab.viewer.run.count - 10)")
    rates = js(
        driver, "return lanlab.topology.cy.edges().map(e => [e.data('rate'), e.data('colour'), e.data('width')])"
    )
    assert all(rate > 20000 and colour == "#e74c3c" and width > 10 for rate, colour, width in rates[:3])


def test_the_page_replays_tables_as_the_python_reader_does_across_checkpoints(driver, tmp_path: Path):
    """On a storm of ~70,000 events (many table checkpoints), the tables the page rebuilds at
    events spread over the run equal lanlab.view.tables_at on the same document."""
    from lanlab.view import read_document, tables_at

    out = tmp_path / "storm.html"
    CliRunner().invoke(cli, ["sim", "run", str(EXAMPLES / "storm.yaml"), "--max-events", "20000", "--html", str(out)])
    document = read_document(out)
    count = len(document["events"]["t"])
    assert count > 5 * 2048
    browser.open_page(driver, out)
    for index in [-1, 0, 2047, 2048, 2049, count // 3, count // 2 + 7, count - 2, count - 1]:
        page = js(driver, f"return lanlab.viewer.run.rebuildTables({index})")
        assert page == tables_at(document, index), index


def test_hide_background_and_counts(driver, tmp_path: Path):
    """On the STP triangle, "hide background" leaves no STP row; each protocol choice says how many
    events it would show, and choosing it shows that many."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    out = tmp_path / "stp.html"
    CliRunner().invoke(cli, ["sim", "run", str(EXAMPLES / "stp.yaml"), "--until", "40s", "--html", str(out)])
    browser.open_page(driver, out)
    total = js(driver, "return lanlab.viewer.run.count")
    option = driver.find_element(By.CSS_SELECTOR, '[data-test="filter-proto"] option[value="STP"]').text
    said = int(option.split("(")[1].rstrip(")"))
    Select(driver.find_element(By.CSS_SELECTOR, '[data-test="filter-proto"]')).select_by_value("STP")
    assert len(js(driver, "return lanlab.events.shown")) == said > 0
    Select(driver.find_element(By.CSS_SELECTOR, '[data-test="filter-proto"]')).select_by_value("")
    driver.find_element(By.CSS_SELECTOR, '[data-test="hide-background"]').click()
    shown = js(driver, "return lanlab.events.shown.map(i => lanlab.viewer.run.doc.events.proto[i])")
    assert "STP" not in shown and len(shown) == total - said


def test_pcapng_of_the_filtered_events_reads_back(driver, page):
    """The pcapng the page makes of the ICMP events is a capture lanlab's reader opens: one frame
    per ICMP transmission, with the frame's bytes and time."""
    import base64
    import io

    from lanlab.view import read_document
    from lanlab.wire.pcapng import PcapngReader
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.open_page(driver, page)
    Select(driver.find_element(By.CSS_SELECTOR, '[data-test="filter-proto"]')).select_by_value("ICMP")
    data = driver.execute_async_script("""const done = arguments[arguments.length - 1];
        const reader = new FileReader(); reader.onload = () => done(reader.result.split(',')[1]);
        reader.readAsDataURL(lanlab.pcapngOf(lanlab.viewer).blob);""")
    frames = list(PcapngReader(io.BytesIO(base64.b64decode(data))))
    document = read_document(page)
    events = document["events"]
    sent = [i for i in range(len(events["t"])) if events["kind"][i] == "tx" and events["proto"][i] == "ICMP"]
    assert len(frames) == len(sent) > 0
    for (_, t_ns, raw), i in zip(frames, sent):
        assert t_ns == events["t"][i]
        assert raw == base64.b64decode(document["frames"][events["frame"][i]]["bytes"])


def test_a_collision_is_marked_on_the_hub_and_the_drop_where_it_happened(driver, tmp_path: Path, shots):
    """Two stations sending at once through a hub: the collision step marks the hub and the station
    backing off; a NIC's drop step marks that host with its reason."""
    out = tmp_path / "collisions.html"
    CliRunner().invoke(
        cli,
        [
            "sim",
            "run",
            str(EXAMPLES / "collisions.yaml"),
            "--until",
            "1s",
            "--html",
            str(out),
            "--do",
            "hc udp listen 9",
            "--do",
            "ha udp send hc 9 from-a",
            "--do",
            "hb udp send hc 9 from-b",
        ],
    )
    browser.open_page(driver, out)
    collision = js(driver, "return lanlab.viewer.run.doc.events.kind.indexOf('collision')")
    js(driver, f"lanlab.viewer.go({collision})")
    drawn = js(driver, "return lanlab.topology.drawn()")
    hub = js(
        driver,
        "const n = lanlab.viewer.run.doc.nodes.findIndex(n => n.name === 'hub1'); return lanlab.topology.cy.getElementById('n' + n).position()",
    )
    assert len(drawn["collisions"]) == 1 and drawn["backoffs"] == 1
    assert abs(drawn["collisions"][0]["x"] - hub["x"]) < 1
    screenshot(driver, shots, "8-collision")
    drop = js(
        driver,
        "const e = lanlab.viewer.run.doc.events; return e.kind.findIndex((k, i) => k === 'drop' && e.note[i] === 'not addressed to this NIC')",
    )
    js(driver, f"lanlab.viewer.go({drop})")
    assert js(driver, "return lanlab.topology.drawn().drops") == ["\u2715 not addressed to this NIC"]


def test_a_frame_moves_from_sender_to_receiver_as_steps_go(opened):
    """The dot of pc1's first transmission starts beside pc1 and, step by step, gets nearer sw1."""
    target = first_arp_request(opened)
    position = (
        """const t = lanlab.topology, n = t.cy.nodes('.packet').filter(p => p.data('tx') === %d);
        return n.length ? n.position() : null;"""
        % target
    )
    node = "const i = lanlab.viewer.run.doc.nodes.findIndex(n => n.name === '%s'); return lanlab.topology.cy.getElementById('n' + i).position();"
    pc1, sw1 = js(opened, node % "pc1"), js(opened, node % "sw1")

    def distance(a, b):  # type: ignore[no-untyped-def]
        return ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5

    js(opened, f"lanlab.viewer.go({target})")
    start = js(opened, position)
    js(opened, f"lanlab.viewer.go({target} + 1)")
    later = js(opened, position)
    assert start is not None and later is not None
    assert distance(start, pc1) < distance(start, sw1)
    assert distance(later, sw1) < distance(start, sw1)


def test_play_pause_and_speed(opened):
    """Play at 10x walks the events by itself; pause stops it; 0.1x is a hundred times slower."""
    import time

    from selenium.webdriver.common.by import By

    slider = opened.find_element(By.CSS_SELECTOR, '[data-test="speed"]')
    js(
        opened,
        "arguments[0].value = 1; arguments[0].dispatchEvent(new Event('input'))".replace(
            "arguments[0]", "document.querySelector('[data-test=speed]')"
        ),
    )
    assert slider.find_element(By.XPATH, "..").text.endswith("10.0x")
    click(opened, "play")
    time.sleep(1.0)
    click(opened, "play")  # pause
    moved = step(opened)
    assert moved >= 10
    time.sleep(0.5)
    assert step(opened) == moved
    js(
        opened,
        "const s = document.querySelector('[data-test=speed]'); s.value = -1; s.dispatchEvent(new Event('input'))",
    )
    assert js(opened, "return lanlab.timeline.stepMs()") == pytest.approx(100 * 1000 / 30, rel=0.01)


def test_jump_to_a_time(opened):
    """Typing a time in seconds shows the last event at or before it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = opened.find_element(By.CSS_SELECTOR, '[data-test="goto-time"]')
    box.send_keys("0.2", Keys.ENTER)
    times = js(opened, "return lanlab.viewer.run.doc.events.t")
    expected = max(i for i, t in enumerate(times) if t <= 200_000_000)
    assert step(opened) == expected


def test_jump_to_an_event_by_the_lists_number(opened):
    """Typing 40 in "event #" shows the row numbered 40 (it showed 41: the box took an index), as #e=40
    does; what is not a whole number there, or not a time in the time box, leaves the step alone."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = opened.find_element(By.CSS_SELECTOR, '[data-test="goto-event"]')
    box.send_keys("40", Keys.ENTER)
    assert step(opened) == 39
    assert js(opened, "return document.querySelector('.row.current span').textContent") == "40"
    box.clear()
    box.send_keys("4.5", Keys.ENTER)
    assert step(opened) == 39
    time_box = opened.find_element(By.CSS_SELECTOR, '[data-test="goto-time"]')
    time_box.send_keys("soon", Keys.ENTER)
    assert step(opened) == 39
    time_box.clear()
    time_box.send_keys("0.2s", Keys.ENTER)
    times = js(opened, "return lanlab.viewer.run.doc.events.t")
    assert step(opened) == max(i for i, t in enumerate(times) if t <= 200_000_000)


def test_a_frame_rides_beside_its_wire_clear_of_the_port_names(opened):
    """The dot of a frame on a wire sits off the wire's line (right of its way) by more than its
    radius, so the port name written on the wire stays readable."""
    target = first_arp_request(opened)
    js(opened, f"lanlab.viewer.go({target})")
    offset = js(
        opened,
        """const t = lanlab.topology, p = t.cy.nodes('.packet')[0].position();
        const at = name => t.cy.getElementById('n' + lanlab.viewer.run.doc.nodes.findIndex(n => n.name === name)).position();
        const a = at('pc1'), b = at('sw1'), length = Math.hypot(b.x - a.x, b.y - a.y);
        return Math.abs((b.x - a.x) * (a.y - p.y) - (a.x - p.x) * (b.y - a.y)) / length;""",
    )
    assert offset > 11  # a current dot's radius; the port name is on the line


def ladder_rows(driver) -> list[tuple[str, str, str, bool]]:  # type: ignore[no-untyped-def]
    """(from column, to column, summary, current) for each arrow of the ladder pane."""
    return [
        tuple(row)
        for row in js(
            driver,
            """const svg = document.querySelector('[data-test="ladder"]');
        const names = Array.from(svg.querySelectorAll('.ladder-name')).map(n => [Number(n.getAttribute('x')), n.textContent]);
        const at = x => names.find(n => Math.abs(n[0] - x) < 1)[1];
        return Array.from(svg.querySelectorAll('.ladder-arrow')).map(g => { const l = g.querySelector('line');
          return [at(Number(l.getAttribute('x1'))), at(Number(l.getAttribute('x2'))),
                  g.querySelector('.ladder-label').textContent, g.classList.contains('current')]; });""",
        )
    ]


def test_tcp_ladder_shows_the_handshake_through_switch_and_hub_without_bystanders(driver, tmp_path: Path, shots):
    """A TCP conversation's ladder: pc1 -> sw1 -> hub1 -> pc3 with SYN, SYN-ACK, data and FIN in
    full; the hub's copies to pc4 and the flood to pc2 are counted, not drawn."""
    out = tmp_path / "tcp.html"
    result = CliRunner().invoke(
        cli,
        [
            "sim",
            "run",
            HUB,
            "--do",
            "pc3 tcp serve --port 7788",
            "--do",
            "at 0.1s pc1 tcp connect pc3 7788 --send hello",
            "--until",
            "2s",
            "--html",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    browser.open_page(driver, out)
    syn = js(
        driver,
        """const e = lanlab.viewer.run.doc.events;
        for (let i = 0; i < e.t.length; i++) if (e.proto[i] === 'TCP' && e.kind[i] === 'rx') return i; return -1;""",
    )
    browser.open_page(driver, out, f"#e={syn + 1}")  # the list's numbers start at 1
    click(driver, "tab-ladder")
    rows = ladder_rows(driver)
    columns = {end for row in rows for end in row[:2]}
    assert columns == {"pc1", "sw1", "hub1", "pc3"}
    summaries = [summary for _, _, summary, _ in rows]
    for flags in ("[SYN]", "[SYN, ACK]", "[PSH, ACK]", "[FIN, ACK]"):
        assert any(flags in summary for summary in summaries), (flags, summaries)
    assert any(current for *_, current in rows)
    assert "left out" in js(driver, "return document.querySelector('#ladder .hint').textContent")
    screenshot(driver, shots, "ladder-tcp")


def test_rip_ladder_holds_the_periodic_updates_sent_to_the_group(driver, tmp_path: Path, shots):
    """Two RIP routers' ladder includes the updates each sends to 224.0.0.9 every 30 s, not only
    the answers to requests: the group frame belongs to the sender and the router that received it."""
    out = tmp_path / "rip.html"
    result = CliRunner().invoke(
        cli, ["sim", "run", str(EXAMPLES / "count-to-infinity.yaml"), "--until", "40s", "--html", str(out)]
    )
    assert result.exit_code == 0, result.output
    browser.open_page(driver, out)
    update = js(
        driver,
        """const r = lanlab.viewer.run, e = r.doc.events;
        for (let i = 0; i < e.t.length; i++) if (e.t[i] > 20e9 && e.proto[i].startsWith('RIP') && e.kind[i] === 'rx'
            && r.name(i) === 'r3') return i; return -1;""",
    )
    assert update > 0
    browser.open_page(driver, out, f"#e={update + 1}")
    click(driver, "tab-ladder")
    rows = ladder_rows(driver)
    assert {end for row in rows for end in row[:2]} == {"r2", "r3"}
    assert any(current for *_, current in rows)
    times = js(
        driver, "return Array.from(document.querySelectorAll('#ladder .ladder-time')).map(t => Number(t.textContent))"
    )
    assert any(t > 20 for t in times)  # a periodic update, long after the start's requests
    screenshot(driver, shots, "ladder-rip")


def test_domains_are_shaded_one_colour_each_as_sim_domains_counts_them(driver, tmp_path: Path, shots):
    """Two hubs on one switch are two media (two colours); two cascaded hubs one (one colour): with the
    two router links, 5 collision domains; the router
    splits two broadcast domains; the colours follow `sim domains`' walk, carried in the document."""
    topology = tmp_path / "domains.yaml"
    topology.write_text(ROUTED_HUBS)
    out = tmp_path / "domains.html"
    result = CliRunner().invoke(cli, ["sim", "run", str(topology), "--until", "10ms", "--html", str(out)])
    assert result.exit_code == 0, result.output
    browser.open_page(driver, out)
    assert js(
        driver,
        "return [lanlab.viewer.run.doc.domains.collision_domains, lanlab.viewer.run.doc.domains.broadcast_domains]",
    ) == [5, 2]
    click(driver, "domains")
    colours = js(
        driver,
        """
        const doc = lanlab.viewer.run.doc, cy = lanlab.topology.cy, out = {links: {}, nodes: {}};
        doc.links.forEach((l, i) => { out.links[l.a + '-' + l.b] = cy.getElementById('link' + i).style('underlay-opacity') > 0
            ? cy.getElementById('link' + i).style('underlay-color') : null; });
        doc.nodes.forEach((n, i) => { out.nodes[n.name] = cy.getElementById('n' + i).style('underlay-opacity') > 0
            ? cy.getElementById('n' + i).style('underlay-color') : null; });
        return out;""",
    )
    links, nodes = colours["links"], colours["nodes"]
    hub1, hub2 = links["sw1:p2-hub1:p1"], links["sw1:p3-hub2:p1"]
    assert hub1 and hub2 and hub1 != hub2 and links["pc1:eth0-hub1:p2"] == hub1
    cascade = {links["sw2:p2-hub3:p1"], links["hub3:p2-hub4:p1"], links["pc3:eth0-hub3:p3"], links["pc4:eth0-hub4:p2"]}
    assert len(cascade) == 1 and None not in cascade and not cascade & {hub1, hub2}
    assert links["r1:eth0-sw1:p1"] is None  # a point-to-point link is a domain of its own, not shaded
    assert nodes["pc1"] == nodes["sw1"] == nodes["hub2"] and nodes["pc3"] == nodes["sw2"] == nodes["hub4"]
    assert nodes["pc1"] != nodes["pc3"] and nodes["r1"] is None
    screenshot(driver, shots, "domains")


def test_tables_saved_without_record_show_their_ages_at_the_end(driver, tmp_path: Path):
    """A network run without record() and saved: its tables are those of the end, so a MAC entry
    learned at 1 s of a run that ended at 4 s is 3 s old on the page, at any step, never negative."""
    from simnets import pair

    net = pair()
    net.start_trace()
    net.do("at 1s pc1 ping pc2 -c 1")
    net.run(4)
    browser.open_page(driver, net.save_html(tmp_path / "saved.html"))
    click(driver, "tab-tables")
    ages = {row[0]: row[2] for row in table_text(driver, "mac-sw1")}
    assert ages and set(ages.values()) == {"3.000"}, ages
    js(driver, "lanlab.viewer.go(lanlab.viewer.run.count - 1)")
    assert {row[2] for row in table_text(driver, "mac-sw1")} == {"3.000"}


def test_a_dragged_node_keeps_its_frames_on_its_links(opened):
    """Nodes can be dragged; after pc1 is dragged away, the dot of its first ARP request leaves pc1
    where it now is, on the way to sw1."""
    target = first_arp_request(opened)
    moved = js(
        opened,
        """const t = lanlab.topology, n = t.cy.getElementById(t.nodeId['pc1']);
        const p = {x: n.position().x - 150, y: n.position().y + 120};
        n.position(p); n.emit('dragfree'); return [n.grabbable(), p, t.cy.getElementById(t.nodeId['sw1']).position()];""",
    )
    grabbable, pc1, sw1 = moved
    assert grabbable
    js(opened, f"lanlab.viewer.go({target})")
    dot = js(opened, f"return lanlab.topology.cy.nodes('.packet').filter(p => p.data('tx') === {target})[0].position()")

    def distance(a, b):  # type: ignore[no-untyped-def]
        return ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5

    along = distance(pc1, sw1)
    assert distance(dot, pc1) < along / 2 and distance(dot, pc1) + distance(dot, sw1) < along + 60
