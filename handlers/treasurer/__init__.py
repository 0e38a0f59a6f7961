"""The treasurer's desk in the bot: /setor records a deposit at once; /tarik (a sukarela
withdrawal) and /koreksi (a reversal of an entry) wait for a second officer, who gets
[Setujui] [Tolak]. Nobody approves their own request; the member is told when it is done.

Finding the member: their number, phone or name (typos forgiven); several matches come as
buttons.

Modules: ``common``, ``desk`` (the conversation), ``decisions`` (the second officer).
"""
