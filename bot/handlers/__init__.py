"""Every conversation's handlers, registered in one visible place: `build_router`."""

from __future__ import annotations

from bot.core.router import Need, Router
from bot.handlers import (
    console_login,
    faq,
    menu,
    my_data,
    my_nominations,
    nominate,
    profile,
    quiz,
    quiz_results,
    reminders,
    resume,
    review,
    staff,
    start,
)
from bot.handlers.my_nominations import MyNomStep
from bot.handlers.profile import ProfileStep
from bot.handlers.quiz import QuizStep
from bot.handlers.reminders import TipStep
from bot.handlers.review import ReviewStep
from bot.handlers.staff import StaffStep
from bot.handlers.start import RegStep


def build_router() -> Router:
    """All commands, buttons and flow steps of the bot."""
    router = Router()

    # Start, consent and registration
    router.command("start", start.on_start)
    router.action("reg", start.on_reg_action)
    router.step(RegStep.CONSENT, start.on_consent_text)
    router.step(RegStep.ROLE, start.on_role_text)
    router.step(RegStep.UNIT, start.on_unit_text)
    router.step(RegStep.NAME, start.on_name_text)
    router.step(RegStep.POSITION, start.on_position_text)

    # Staff verification: the roster proof, asking a manager, the manager's answer
    router.action("stf", staff.on_action, Need.REGISTERED)
    router.step(StaffStep.PROOF, staff.on_proof_text, Need.REGISTERED)

    # Profile and personal data
    router.command("hoso", profile.show_profile, Need.REGISTERED)
    router.action("prof", profile.on_profile_action, Need.REGISTERED)
    router.step(ProfileStep.NAME, profile.on_name_text, Need.REGISTERED)
    router.step(ProfileStep.POSITION, profile.on_position_text, Need.REGISTERED)
    router.step(ProfileStep.UNIT, profile.on_unit_text, Need.REGISTERED)
    router.command("xoadulieu", profile.ask_erase)
    router.action("erase", profile.on_erase_action)
    router.command("dulieucuatoi", my_data.show_my_data)

    # Quizzes, results, unit leaderboard and the manager's view
    router.command("kiemtra", quiz.show_sets, Need.REGISTERED)
    router.action("quiz", quiz.on_quiz_action, Need.REGISTERED)
    router.step(QuizStep.ANSWER, quiz.on_answer_text, Need.REGISTERED)
    router.on_cancel("quiz", quiz.on_cancel)
    router.command("ketqua", quiz_results.show_results, Need.REGISTERED)
    router.command("thidua", quiz_results.show_leaderboard, Need.REGISTERED)
    router.action("qlb", quiz_results.on_leaderboard_action, Need.REGISTERED)
    router.command("donvi", quiz_results.show_unit, Need.MANAGER)
    router.action("qdv", quiz_results.on_unit_action, Need.MANAGER)

    # Deadlines, acknowledgements and the daily tip
    router.command("lichhan", reminders.show_deadlines, Need.REGISTERED)
    router.action("ack", reminders.on_ack, Need.REGISTERED)
    router.command("nhantin", reminders.subscribe_tips, Need.REGISTERED)
    router.command("huynhantin", reminders.unsubscribe_tips, Need.REGISTERED)
    router.action("tip", reminders.on_tip_action, Need.REGISTERED)
    router.step(TipStep.HOUR, reminders.on_hour_text, Need.REGISTERED)

    # Nominations: the form, one's own nominations, and the council's review and export
    router.command("decu", nominate.start, Need.REGISTERED)
    router.action("nom", nominate.on_action, Need.REGISTERED)
    router.flow("nom", nominate.on_input, Need.REGISTERED)
    router.on_cancel("nom", nominate.on_cancel)
    router.command("decucuatoi", my_nominations.show_mine, Need.REGISTERED)
    router.action("mynom", my_nominations.on_action, Need.REGISTERED)
    router.step(MyNomStep.MORE, my_nominations.on_more_input, Need.REGISTERED)
    router.command("duyetdecu", review.start, Need.COUNCIL)
    router.action("rev", review.on_action, Need.COUNCIL)
    router.step(ReviewStep.REASON, review.on_reason, Need.COUNCIL)
    router.command("xuatdecu", review.export, Need.COUNCIL)

    # The web console: a one-time sign-in link for people who hold a role
    router.command("dangnhapweb", console_login.send_link)

    # Questions and answers: the topic browser, its buttons and free text as questions
    router.command("hoidap", faq.show_themes)
    router.action("kb", faq.on_kb_action)

    # Menu, help and free text
    router.command("menu", menu.show_menu)
    router.command("trogiup", menu.show_help)
    router.command(
        "tieptuc",
        resume.resume_command({"reg": start.resume, "quiz": quiz.resume, "nom": nominate.resume}),
    )
    router.action("menu", menu.on_menu_action)
    router.fallback(faq.on_free_text)

    return router
