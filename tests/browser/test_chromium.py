"""The browser itself starts and renders a page: when this fails, the others would only say
'timeout'."""


def test_chromium_renders_a_page_and_runs_its_script(phone_page):
    phone_page.set_content(
        "<p id=out>?</p><button onclick=\"out.textContent='ditekan'\">Tekan</button>"
    )
    phone_page.get_by_role("button", name="Tekan").click()
    assert phone_page.locator("#out").inner_text() == "ditekan"
    assert phone_page.viewport_size == {"width": 360, "height": 740}
