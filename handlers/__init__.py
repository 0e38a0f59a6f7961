"""register(app): the one ordered list of every handler. Groups run in order; within a
group the first matching handler wins."""

from __future__ import annotations

import warnings

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from handlers import (
    admin,
    advances,
    alerts,
    announcements,
    catalog_admin,
    coop_advances,
    cycle_delivery,
    cycle_invoices,
    cycle_payments,
    cycles,
    figures,
    groups,
    help,
    jobs,
    member_orders,
    monthly_report,
    network,
    prices,
    proxy_offer,
    rafaksi,
    registration,
    savings,
    set_price,
    settings,
    shu,
    window_open,
    windows,
)
from handlers.errors import on_error
from handlers.loans import apply as loans_apply
from handlers.loans import common as loans_common
from handlers.loans import officers as loans_officers
from handlers.loans import repay as loans_repay
from handlers.menus import cancel, load_person
from handlers.offer import flow as offer
from handlers.offer import listing as offer_listing
from handlers.pickup import common as pickup_common
from handlers.pickup import listing as pickup_listing
from handlers.pickup import payment as pickup_payment
from handlers.pickup import schedule as pickup_schedule
from handlers.pickup import weighing as pickup_weighing
from handlers.sales import buyer as sales_buyer
from handlers.sales import closing as sales_closing
from handlers.sales import common as sales_common
from handlers.sales import delivery as sales_delivery
from handlers.sales import listing as sales_listing
from handlers.sales import money as sales_money
from handlers.sales import sale as sales_sale
from handlers.treasurer import common as treasurer_common
from handlers.treasurer import decisions as treasurer_decisions
from handlers.treasurer import desk as treasurer_desk
from handlers.warehouse import arrival as warehouse_arrival
from handlers.warehouse import keeper as warehouse_keeper

# Our conversations mix buttons and typed answers per chat (per_message=False) on purpose;
# PTB warns about that combination at every start.
warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)


def register(app: Application) -> None:
    # Scheduled work, registered when the application has opened its database.
    app.schedule_jobs = jobs.schedule
    # -100: who is writing and in which language, before anything answers them.
    app.add_handler(TypeHandler(Update, load_person), group=-100)
    # -90: the bot serves people in private chats only. Anything from a group or channel
    # stops here (a command gets a pointer to the private chat), so no handler below can
    # post a link or personal data in a group, or touch a private conversation's draft.
    app.add_handler(
        ChatMemberHandler(groups.on_blocked_or_back, ChatMemberHandler.MY_CHAT_MEMBER), group=-90
    )
    app.add_handler(TypeHandler(Update, groups.private_only), group=-90)

    # 0: conversations first, so their steps take text and buttons before the commands below.
    app.add_handler(registration.conversation_handler())
    app.add_handler(settings.village_conversation())
    app.add_handler(offer.conversation_handler())
    app.add_handler(pickup_schedule.schedule_conversation())
    app.add_handler(pickup_weighing.weighing_conversation())
    app.add_handler(pickup_payment.transfer_conversation())
    app.add_handler(proxy_offer.conversation_handler())
    app.add_handler(set_price.conversation_handler())
    app.add_handler(rafaksi.conversation_handler())
    app.add_handler(window_open.conversation_handler())
    app.add_handler(treasurer_desk.conversation_handler())
    app.add_handler(advances.conversation_handler())
    app.add_handler(loans_apply.conversation_handler())
    app.add_handler(loans_officers.payout_conversation())
    app.add_handler(loans_repay.repay_conversation())
    app.add_handler(cycles.conversation_handler())
    app.add_handler(cycle_delivery.count_conversation())
    app.add_handler(cycle_payments.pay_conversation())
    app.add_handler(member_orders.conversation_handler())
    app.add_handler(coop_advances.conversation_handler())
    app.add_handler(monthly_report.conversation_handler())
    app.add_handler(announcements.conversation_handler())
    app.add_handler(sales_buyer.conversation_handler())
    app.add_handler(sales_sale.conversation_handler())
    app.add_handler(sales_delivery.conversation_handler())
    app.add_handler(sales_money.conversation_handler())
    app.add_handler(warehouse_arrival.arrival_conversation())
    app.add_handler(warehouse_keeper.work_conversation())

    # Commands outside conversations.
    app.add_handler(CommandHandler("help", help.show_help))
    app.add_handler(CommandHandler("settings", settings.show_settings))
    app.add_handler(CommandHandler("language", settings.ask_language))
    app.add_handler(CommandHandler("invite", admin.make_invite))
    app.add_handler(CommandHandler("tawaran", offer_listing.show_offers))
    app.add_handler(CommandHandler("katalog", catalog_admin.show_catalog))
    app.add_handler(CommandHandler("harga", prices.show_prices))
    app.add_handler(CommandHandler("langganan", prices.show_subscriptions))
    app.add_handler(CommandHandler("saldo", savings.show_balance))
    app.add_handler(CommandHandler("mutasi", savings.show_moves))
    app.add_handler(CommandHandler("tagihan", savings.show_dues))
    app.add_handler(CommandHandler("jemput", pickup_listing.show_pickups))
    app.add_handler(CommandHandler("rekap", figures.show_figures))
    app.add_handler(CommandHandler("penjualan", sales_listing.show_sales))
    app.add_handler(CommandHandler("gudang", warehouse_keeper.show_warehouse))
    app.add_handler(CommandHandler("butuh", windows.show_windows))
    app.add_handler(CommandHandler("koperasi", network.show_network))
    app.add_handler(CommandHandler("utang", advances.show_debts))
    app.add_handler(CommandHandler("serahkan", member_orders.show_hand_over))
    app.add_handler(CommandHandler("pinjaman", loans_repay.show_my_loans))
    app.add_handler(CommandHandler("tunggakan", loans_repay.show_arrears))
    app.add_handler(CommandHandler("cancel", cancel))

    # Buttons that live outside conversations (any time, from /settings and /language).
    app.add_handler(settings.LANGUAGE_BUTTONS.handler(settings.on_language))
    app.add_handler(settings.ZONE_BUTTONS.handler(settings.on_timezone))
    app.add_handler(settings.SETTING_BUTTONS.handler(settings.on_setting))
    app.add_handler(offer_listing.WITHDRAW_BUTTONS.handler(offer_listing.withdraw))
    app.add_handler(alerts.TAKE_BUTTONS.handler(alerts.take))
    app.add_handler(alerts.ASSIGN_BUTTONS.handler(alerts.ask_assign))
    app.add_handler(alerts.ASSIGN_TO_BUTTONS.handler(alerts.assign))
    app.add_handler(pickup_common.CHECK_BUTTONS.handler(pickup_weighing.on_weight_checked))
    app.add_handler(pickup_common.SETTLE_BUTTONS.handler(pickup_weighing.on_settle))
    app.add_handler(pickup_common.RECEIPT_BUTTONS.handler(pickup_weighing.on_receipt_answer))
    app.add_handler(pickup_common.PAY_BUTTONS.handler(pickup_payment.on_paid))
    app.add_handler(pickup_common.CHANGE_BUTTONS.handler(pickup_schedule.ask_change))
    app.add_handler(pickup_common.CHANGE_DAY_BUTTONS.handler(pickup_schedule.on_change_day))
    app.add_handler(alerts.DETAIL_BUTTONS.handler(alerts.detail))
    app.add_handler(catalog_admin.TOGGLE_BUTTONS.handler(catalog_admin.toggle))
    app.add_handler(savings.MOVES_BUTTONS.handler(savings.on_moves))
    app.add_handler(savings.DUES_BUTTONS.handler(savings.on_dues))
    app.add_handler(savings.STATEMENT_BUTTONS.handler(savings.on_statement))
    app.add_handler(treasurer_common.DECIDE_BUTTONS.handler(treasurer_decisions.on_decision))
    app.add_handler(advances.DECIDE_BUTTONS.handler(advances.on_decision))
    app.add_handler(loans_common.DECIDE_BUTTONS.handler(loans_officers.on_decision))
    app.add_handler(loans_common.SCHEDULE_BUTTONS.handler(loans_apply.on_schedule))
    app.add_handler(loans_common.CANCEL_BUTTONS.handler(loans_apply.on_cancel))
    app.add_handler(loans_repay.ARREARS_BUTTONS.handler(loans_repay.on_arrears_page))
    app.add_handler(prices.SUBSCRIBE_BUTTONS.handler(prices.on_subscription))
    app.add_handler(prices.STOP_ALL_BUTTONS.handler(prices.on_stop_all))
    app.add_handler(prices.CHART_BUTTONS.handler(prices.on_chart))
    app.add_handler(set_price.TELL_BUTTONS.handler(prices.on_tell))
    app.add_handler(figures.PERIOD_BUTTONS.handler(figures.on_period))
    app.add_handler(sales_common.SALE_BUTTONS.handler(sales_listing.show_sale))
    app.add_handler(sales_common.INVOICE_BUTTONS.handler(sales_money.make_invoice))
    app.add_handler(sales_common.CLOSE_BUTTONS.handler(sales_closing.ask_close))
    app.add_handler(sales_common.CLOSE_ANSWER_BUTTONS.handler(sales_closing.on_close_answer))
    app.add_handler(windows.CLOSE_BUTTONS.handler(windows.on_close))
    app.add_handler(network.NETWORK_BUTTONS.handler(network.on_network))
    app.add_handler(cycles.PAPER_BUTTONS.handler(cycles.on_paper))
    app.add_handler(member_orders.HAND_OVER_BUTTONS.handler(member_orders.on_hand_over))
    app.add_handler(coop_advances.DECIDE_BUTTONS.handler(coop_advances.on_decision))
    app.add_handler(cycle_invoices.INVOICE_BUTTONS.handler(cycle_invoices.on_invoices))
    app.add_handler(announcements.READ_BUTTONS.handler(announcements.on_read))
    app.add_handler(CommandHandler("shu", shu.show_waiting))
    app.add_handler(shu.APPROVE_BUTTONS.handler(shu.on_approve))

    # Last: whatever nothing above understood gets a polite answer, never silence.
    app.add_handler(CallbackQueryHandler(help.stale_button))
    app.add_handler(MessageHandler(filters.ALL, help.not_understood))

    app.add_error_handler(on_error)
