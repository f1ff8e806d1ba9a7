"""The search box's suggestions with the keyboard alone, and the search without them."""

import json
import re

from playwright.sync_api import expect

from blog.models import Alias, AliasGroup
from tests.e2e.test_accessibility import axe_violations


def nvidia_aliases():
    # the live server's tests flush the tables the seed migration filled
    group, _ = AliasGroup.objects.get_or_create(name="NVIDIA")
    if not Alias.objects.filter(normalized="エヌビディア").exists():
        Alias.objects.create(group=group, spelling="エヌビディア")


def test_reader_picks_a_suggestion_with_the_keyboard(page, site, screenshot, node_modules):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    nvidia_aliases()
    page.goto(site.url("/"))
    box = page.get_by_role("combobox", name="記事を検索")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.focus()
    box.press_sequentially("エヌビ", delay=40)
    listbox = page.get_by_role("listbox", name="検索候補")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    option = listbox.get_by_role("option").first
    expect(option).to_contain_text("NVIDIA")
    expect(option).to_contain_text("「エヌビディア」の別名")
    screenshot(page, "search-suggestions")

    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    violations = axe_violations(page, node_modules)  # the open list, an option chosen
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile("."))

    box.press("ArrowDown")  # opens the list again
    box.press("ArrowDown")  # and chooses the first option
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/tags/nvidia/$"))
    assert errors == []


def test_enter_without_a_chosen_suggestion_searches(page, site):
    page.goto(site.url("/"))
    box = page.get_by_role("combobox", name="記事を検索")
    box.focus()
    box.press_sequentially("LLM", delay=40)
    expect(page.get_by_role("listbox", name="検索候補")).to_be_visible()
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=LLM$"))
    expect(page.locator(".result-count")).to_contain_text("件")


def test_without_javascript_the_box_simply_submits(new_page, site):
    page = new_page("phone", java_script_enabled=False)
    page.goto(site.url("/"))
    box = page.get_by_role("searchbox", name="記事を検索")
    box.fill("エヌビディア")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    expect(page.locator("h1")).to_contain_text("「エヌビディア」の検索結果")
