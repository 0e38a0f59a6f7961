"""/jemput: a coordinator's pickups. Schedule one (day and time window; the farmer is told),
then record the weighing (the grade and weight found): the amount comes from the locked
price of that grade, and the farmer gets a receipt to agree with or dispute.

Modules: ``common`` (buttons, draft, rules, the receipt's text), ``listing`` (/jemput),
``schedule``, ``weighing`` (and the receipt, disputes), ``payment``.
"""
