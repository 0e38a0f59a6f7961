"""/jual: a farmer offers produce at the cooperative's buying price; /tawaran: their offers.

produce (buttons, or its name typed) → grade (skipped where there is one; each with its
price) → quantity as Indonesians write it → ready day → pickup place (the village, or a
shared location) → summary with the locked price, the deductions and the guarantee's end
(a photo may be sent there) → the offer number, and an alert to every coordinator covering
the village (else the cooperative's administrators). Seven taps or messages with /jual.

The same steps serve a coordinator entering an offer for a farmer without Telegram
(handlers.proxy_offer): the draft says whose village it is and who the farmer is.

Modules: ``draft`` (the answers so far and what every step reads from them), ``flow`` (the
steps and the conversation), ``summary`` (the summary's text), ``listing`` (/tawaran).
"""
