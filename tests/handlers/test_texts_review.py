"""The December 2026 native read of the texts (../shared/reviews/texts-2026-12.md): the fixes
that needed code, each read as sent. Assertions name the facts the review was about."""

from __future__ import annotations

from datetime import time

import pytest

from bot.i18n import use_locale
from handlers.wording import grade_line, in_sentence, is_weighed
from tests.handlers.flows import register_farmer
from tests.handlers.test_offer import _prices
from tests.handlers.test_savings_desk import _desk
from tests.handlers.test_savings_member import _member


async def test_the_subscription_text_says_the_digest_time_that_is_set_with_its_zone(world):
    await _prices(world)
    budi = world.person(1401, "Budi")
    await register_farmer(budi, phone="6281200001401")
    world.app.digest_time = time(5, 30)  # `koperasi-bot schedule digest 05:30`
    shown = (await budi.send("/langganan"))[0]
    assert "pukul 05.30 WIB" in shown and "06.00" not in shown


async def test_a_one_month_statement_is_captioned_with_one_month(world):
    sri, _roster = await _member(world)
    await sri.send("/saldo")
    await sri.press("📄 Laporan simpanan (PDF)")
    await sri.press("Bulan ini")
    caption = world.telegram.calls_of("sendDocument")[-1].params["caption"]
    assert caption.startswith("Laporan simpanan ") and "sampai" not in caption


async def test_no_at_the_desk_says_it_cancelled_and_names_the_command(world):
    _sri, _roster_id, tono, _ani = await _desk(world)
    await tono.send("/setor")
    await tono.send("SP-001")
    await tono.press("Simpanan wajib")
    await tono.send("50.000")
    assert "✖️ Tidak, batalkan" in tono.buttons() and "✏️ Tidak, ubah" not in tono.buttons()
    said = await tono.press("✖️ Tidak, batalkan")
    assert said[-1] == "Dibatalkan. Tidak ada yang disimpan. Untuk mulai lagi, kirim /setor."


@pytest.mark.parametrize(
    ("label", "sentence"),
    [("Cabai merah", "cabai merah"), ("Simpanan wajib", "simpanan wajib"),
     ("GKP (gabah kering panen)", "GKP (gabah kering panen)"), ("Red chilli", "red chilli")],
)  # fmt: skip
def test_a_label_inside_a_sentence_is_lower_case(label, sentence):
    assert in_sentence(label) == sentence


def test_grade_is_not_said_twice_and_counted_units_are_not_weighed():
    with use_locale("id"):
        assert grade_line("Mutu B") == "Mutu B"
        assert grade_line("GKP (gabah kering panen)") == "Mutu: GKP (gabah kering panen)"
    with use_locale("en"):
        assert grade_line("Grade B") == "Grade B"
    from handlers.pickup.common import weight_line as _weight_line

    with use_locale("id"):
        assert _weight_line("ekor", False).startswith("Jumlah: ")
        assert _weight_line("butir", True).startswith("Jumlah: ")
        assert _weight_line("kg", False).startswith("Berat: ")
    assert is_weighed("kuintal") and not is_weighed("liter")


def test_the_progress_of_a_broadcast_counts_in_words_of_the_language():
    from bot.i18n import format_number, ngettext

    def text(n):
        return ngettext(
            "Sending it to {count} subscriber. This message shows how it goes.",
            "Sending it to {count} subscribers. This message shows how it goes.",
            n,
        ).format(count=format_number(n))

    with use_locale("en"):
        assert text(1).startswith("Sending it to 1 subscriber.")
        assert text(10_000).startswith("Sending it to 10,000 subscribers.")
    with use_locale("id"):
        assert text(10_000).startswith("Sedang dikirim ke 10.000 pelanggan.")
