"""Demo story (esittelytarina): the blog post's story, recorded into any store.

The story follows the social worker's blog post of ``seeds/``: family rehabilitation
(perhekuntoutus) in a child-welfare family, August to December 2020. Every step carries a
request id, so recording it again into the same store changes nothing and returns the same
case id: the store finds its own case. All people and organisations are fictional.

::

    clock = StoryClock()
    with FamilyCases("memory://", clock=clock) as cases:
        case_id = record_demo_story(cases, clock)
        plan = cases.current_plan(case_id, actor=DEMO_READER)

``perhetyo demo`` records it and prints it; tests replay it without the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final
from uuid import UUID

from perhetyo.application import FamilyCases
from perhetyo.record_values import DecisionOutcome
from perhetyo.time import HELSINKI
from perhetyo.values import (
    Actor,
    ClosureReason,
    GoalStatus,
    Initiation,
    LegalBasis,
    MeetingKind,
    NamedWorker,
    PersonRef,
    Profession,
    ServiceKind,
    Successor,
    SuccessorKind,
)

__all__ = ["DEMO_READER", "StoryClock", "demo_case_id", "record_demo_story"]

# --- the story -----------------------------------------------------------------------------

_STORY: Final = "perhetyo-demo-2020-v2"
"""Prefix of the story's request ids: the same story is recorded once per store.

Change its version when the story changes: an old demo file then gets a second case instead
of a RequestConflictError.
"""


@dataclass
class StoryClock:
    """Story clock (tarinan kello): the record time of each step, set by the story.

    Each reading moves it one minute on, so that steps recorded together get plausible,
    increasing record times.
    """

    current: datetime = datetime(2020, 8, 12, 9, 0, tzinfo=HELSINKI)

    def __call__(self) -> datetime:
        now = self.current
        self.current += timedelta(minutes=1)
        return now

    def at(self, day: date, hour: int, minute: int = 0) -> None:
        """The next steps are recorded on ``day`` at ``hour:minute`` in Helsinki."""
        self.current = datetime.combine(day, time(hour, minute), tzinfo=HELSINKI)


def _rid(step: str) -> str:
    return f"{_STORY}/{step}"


def demo_case_id(cases: FamilyCases) -> UUID:
    """The id the demo's case has in ``cases``: derived from its opening request id with
    the store's own key (the case need not exist yet)."""
    return cases.case_id_for_request(_rid("open"))


_COUNTY: Final = "Esimerkkikaupunki"
_PRODUCER: Final = "Perhetuki Esimerkki Oy"
_PURCHASER: Final = Actor(
    id="demo-sw-1", name="Laura V.", profession=Profession.SOCIAL_WORKER, organisation=_COUNTY
)
DEMO_READER: Final = _PURCHASER
"""Who reads the story back: the purchasing social worker (vastaava sosiaalityöntekijä)."""
_PRODUCER_SW: Final = Actor(
    id="demo-psw-1", name="Anna T.", profession=Profession.SOCIAL_WORKER, organisation=_PRODUCER
)
_FAMILY_WORKER: Final = Actor(
    id="demo-fw-1", name="Mari L.", profession=Profession.FAMILY_WORKER, organisation=_PRODUCER
)
_EETU: Final = PersonRef(id="demo-child-1", display_name="Eetu K.", birth_date=date(2010, 3, 15))
_IIDA: Final = PersonRef(id="demo-child-2", display_name="Iida K.", birth_date=date(2013, 11, 2))
_VAUVA: Final = PersonRef(id="demo-child-3", display_name="Vauva K.", birth_date=date(2020, 10, 2))
_GUARDIANS: Final = (
    PersonRef(id="demo-guardian-1", display_name="Sanna K."),
    PersonRef(id="demo-guardian-2", display_name="Mikko K."),
)
_TERM_ENDS: Final = date(2020, 12, 18)
_TEAM: Final = (
    "molemmat huoltajat",
    "vastaava sosiaalityöntekijä (tilaaja)",
    "palveluntuottajan sosiaalityöntekijä",
    "perhetyöntekijät (2)",
    "koulukuraattori",
)


@dataclass
class _Story:
    """The blog post's story in chapters; every step has a request id (see _STORY)."""

    cases: FamilyCases
    clock: StoryClock
    case_id: UUID
    goals: list[UUID] = field(default_factory=list)
    service_id: UUID | None = None

    @classmethod
    def open(cls, cases: FamilyCases, clock: StoryClock) -> _Story:
        """12.8.2020: the case opens; the store gives its id (the same one on a re-run)."""
        clock.at(date(2020, 8, 12), 11, 40)
        case_id = cases.open_case(
            children=[_EETU, _IIDA], guardians=_GUARDIANS,
            legal_basis=LegalBasis.CHILD_WELFARE_ACT,
            named_worker=NamedWorker(id=_PURCHASER.id, name=_PURCHASER.name,
                                     profession=Profession.SOCIAL_WORKER),
            opened_on=date(2020, 8, 12), actor=_PURCHASER, request_id=_rid("open"),
            pending_on=date(2020, 8, 6), initiated_by=Initiation.CHILD_WELFARE_NOTIFICATION,
        )
        return cls(cases, clock, case_id)

    def beginning(self) -> None:
        """12.8.2020: opening meeting; 17.8.: the worker meets the children."""
        cases, case_id = self.cases, self.case_id
        self.clock.at(date(2020, 8, 12), 14, 5)
        cases.record_meeting(
            case_id, kind=MeetingKind.OPENING, held_on=date(2020, 8, 12),
            participants=["Eetu", "Iida", "molemmat huoltajat", "vastaava sosiaalityöntekijä"],
            summary="Sovittiin, missä asioissa perhettä tuetaan: arjen rytmi, vanhempien "
            "yhteiset kasvatuskäytännöt ja Eetun koulunkäynti. Kerrottiin perhekuntoutuksesta.",
            actor=_PURCHASER, request_id=_rid("opening-meeting"),
        )
        self.clock.at(date(2020, 8, 17), 15, 10)
        cases.record_meeting(
            case_id, kind=MeetingKind.CHILD_MEETING, held_on=date(2020, 8, 17),
            participants=["Eetu", "Iida", "vastaava sosiaalityöntekijä"],
            summary="Sosiaalityöntekijä tapasi Eetun ja Iidan kotona ilman vanhempia.",
            actor=_PURCHASER, request_id=_rid("child-meeting-1"),
        )
        for child, view in (
            (_EETU, "Kotona riidellään liikaa. Toivon, että illat olisivat rauhallisempia."),
            (_IIDA, "Minua jännittää, kun aikuiset riitelevät. Haluan, että joku leikkii "
             "kanssani."),
        ):
            cases.record_child_view(
                case_id, child_id=child.id, view=view, recorded_on=date(2020, 8, 17),
                actor=_PURCHASER, request_id=_rid(f"view-{child.id}"),
            )

    def assessment(self) -> None:
        """6.8.2020 the school's notification made the matter pending; the assessment
        starts at the opening, 12.8., and is completed on 19.8., before the plan."""
        self.clock.at(date(2020, 8, 12), 11, 45)
        self.cases.start_assessment(
            self.case_id, started_on=date(2020, 8, 12), child_welfare_need_assessed=True,
            actor=_PURCHASER, request_id=_rid("assessment-start"),
        )
        self.clock.at(date(2020, 8, 19), 12, 30)
        self.cases.complete_assessment(
            self.case_id, completed_on=date(2020, 8, 19),
            conclusions="Perhe tarvitsee tukea arjen rytmiin ja vanhempien yhteisiin "
            "kasvatuskäytäntöihin; Eetun koulunkäynti on tuettava. Ehdotetaan "
            "perhekuntoutusta syyslukukaudeksi.",
            relationship_continues=True, special_support=False, child_welfare_begins=False,
            needs_named_worker=True, plan_needed=True,
            child_views={_EETU.id: "Haluan, että kotona riidellään vähemmän.",
                         _IIDA.id: "Haluan, että joku leikkii kanssani."},
            actor=_PURCHASER, request_id=_rid("assessment-done"),
        )

    def plan(self) -> None:
        """19.8.2020: goals for the family and for each child; plan version 1, with dissent."""
        self.clock.at(date(2020, 8, 19), 13, 0)
        for n, (description, child_id) in enumerate(
            [
                ("Arkeen palaa säännöllinen päivärytmi: yhteiset ruokailut ja sovitut "
                 "nukkumaanmenoajat.", None),
                ("Vanhemmat sopivat yhteisistä kasvatuskäytännöistä ja pitävät niistä kiinni "
                 "riitelemättä lasten kuullen.", None),
                ("Eetu käy koulua säännöllisesti: poissaoloja enintään yksi kuukaudessa.",
                 _EETU.id),
                ("Iida uskaltaa kertoa huolistaan turvalliselle aikuiselle kotona ja "
                 "esikoulussa.", _IIDA.id),
            ],
            start=1,
        ):
            self.goals.append(self.cases.set_goal(
                self.case_id, description=description, child_id=child_id,
                set_on=date(2020, 8, 19), target_date=_TERM_ENDS, actor=_PURCHASER,
                request_id=_rid(f"goal-{n}"),
            ))
        self.clock.at(date(2020, 8, 19), 13, 20)
        self.cases.agree_plan(
            self.case_id, agreed_on=date(2020, 8, 19),
            agreements=[
                "Perheelle järjestetään perhekuntoutusta syys–joulukuussa 2020; "
                "perhetyöntekijät käyvät kotona kaksi kertaa viikossa.",
                "Perhe ja perhetyöntekijät asettavat viikkotavoitteet maanantaisin ja "
                "arvioivat ne seuraavalla viikolla.",
                "Vastaava sosiaalityöntekijä tapaa Eetua ja Iidaa henkilökohtaisesti "
                "vähintään kerran kahdessa kuukaudessa.",
                "Välipalaveri pidetään lokakuussa.",
            ],
            dissent=["Huoltaja (isä) ei pidä perhekuntoutusta tarpeellisena: hänen "
                     "mielestään perhe selviää omin voimin."],
            review_due_on=date(2020, 10, 21), actor=_PURCHASER, request_id=_rid("plan-1"),
        )

    def rehabilitation(self) -> None:
        """26.8.-1.9.2020: network meeting; family rehabilitation granted by a decision,
        ordered citing it, and started."""
        cases, case_id = self.cases, self.case_id
        self.clock.at(date(2020, 8, 26), 14, 45)
        cases.record_meeting(
            case_id, kind=MeetingKind.NETWORK, held_on=date(2020, 8, 26),
            participants=_TEAM,
            summary="Käytiin läpi perheen tilanne ja aloitettavan perhekuntoutuksen raamit. "
            "Uusi palvelu jännittää vanhempia. Sovittiin välipalaverista.",
            actor=_PURCHASER, request_id=_rid("network-meeting"),
        )
        self.clock.at(date(2020, 8, 26), 15, 15)
        decision_id = cases.decide_service(
            case_id, kind=ServiceKind.FAMILY_REHABILITATION, outcome=DecisionOutcome.GRANTED,
            decided_on=date(2020, 8, 26), legal_sections=["LsL 36 §"],
            reasoning="Perhekuntoutus tukee vanhempia arjen rytmin ja yhteisten "
            "kasvatuskäytäntöjen löytämisessä; lasten tilanne edellyttää tiivistä tukea kotiin.",
            decision_maker=NamedWorker(id=_PURCHASER.id, name=_PURCHASER.name,
                                       profession=Profession.SOCIAL_WORKER),
            valid_from=date(2020, 8, 26), valid_until=_TERM_ENDS, hours_per_month=32,
            actor=_PURCHASER, request_id=_rid("decide-rehabilitation"),
        )
        self.clock.at(date(2020, 8, 26), 15, 30)
        self.service_id = service_id = cases.order_service(
            case_id, kind=ServiceKind.FAMILY_REHABILITATION, provider=_PRODUCER,
            ordered_on=date(2020, 8, 26), goal_ids=self.goals, decision_id=decision_id,
            actor=_PURCHASER, request_id=_rid("order-rehabilitation"),
        )
        self.clock.at(date(2020, 9, 1), 16, 0)
        cases.start_service(case_id, service_id, started_on=date(2020, 9, 1),
                            actor=_PRODUCER_SW, request_id=_rid("start-rehabilitation"))
        cases.record_meeting(
            case_id, kind=MeetingKind.HOME_VISIT, held_on=date(2020, 9, 1),
            participants=["perhe", "perhetyöntekijät (2)"],
            summary="Ensimmäinen kotikäynti: tutustuttiin perheeseen ja sovittiin käyntiajat.",
            actor=_FAMILY_WORKER, request_id=_rid("home-visit-1"),
        )
        self._update(1, GoalStatus.IN_PROGRESS, 10, "Päivärytmi kartoitettu yhdessä "
                     "vanhempien kanssa.", on=date(2020, 9, 1), actor=_FAMILY_WORKER,
                     step="start")

    def weekly_goals(self) -> None:
        """Weeks 37-39: a weekly goal (viikkotavoite) set each Monday, reviewed the next."""
        weekly = [
            (date(2020, 9, 7), "Viikkotavoite vk 37: yhteinen päivällinen vähintään neljänä "
             "iltana.", GoalStatus.ACHIEVED, 100, "Yhteinen päivällinen viitenä iltana."),
            (date(2020, 9, 14), "Viikkotavoite vk 38: lapset ovat sängyssä klo 21 "
             "arki-iltoina.", GoalStatus.NOT_ACHIEVED, 60, "Onnistui kolmena arki-iltana "
             "viidestä; iltarutiinia harjoitellaan lisää."),
            (date(2020, 9, 21), "Viikkotavoite vk 39: iltarutiini (iltapala, pesut, "
             "iltasatu) toteutuu arki-iltoina.", GoalStatus.ACHIEVED, 100,
             "Toteutui kaikkina arki-iltoina."),
        ]
        for week, (monday, description, status, progress, note) in enumerate(weekly, 37):
            self.clock.at(monday, 10, 5)
            goal_id = self.cases.set_goal(
                self.case_id, description=description, set_on=monday,
                target_date=monday + timedelta(days=6), actor=_FAMILY_WORKER,
                request_id=_rid(f"weekly-{week}"),
            )
            next_monday = monday + timedelta(days=7)
            self.clock.at(next_monday, 10, 0)
            self.cases.update_goal(
                self.case_id, goal_id, status=status, progress=progress, note=note,
                updated_on=next_monday, actor=_FAMILY_WORKER,
                request_id=_rid(f"weekly-{week}-review"),
            )
        self._update(1, GoalStatus.IN_PROGRESS, 40, "Yhteiset ruokailut onnistuvat; "
                     "nukkumaanmenoajoissa vielä vaihtelua.", on=date(2020, 9, 28),
                     actor=_FAMILY_WORKER, step="week-40")

    def newborn(self) -> None:
        """12.10.2020: a baby born on 2.10. joins the case, a client of her own."""
        self.clock.at(date(2020, 10, 12), 9, 30)
        self.cases.add_child(
            self.case_id, child=_VAUVA, joined_on=date(2020, 10, 12), actor=_PURCHASER,
            request_id=_rid("newborn-joins"),
        )

    def review(self) -> None:
        """21.10.2020: the intermediate review (välipalaveri) updates goals; plan version 2."""
        review = date(2020, 10, 21)
        self.clock.at(review, 15, 0)
        self.cases.record_meeting(
            self.case_id, kind=MeetingKind.REVIEW, held_on=review, participants=_TEAM,
            summary="Käytiin läpi tavoitteiden eteneminen ja päivitettiin ne. Työskentely on "
            "käynnistynyt hyvin: perhe luottaa työntekijöihin ja kokee tulleensa kuulluksi.",
            actor=_PURCHASER, request_id=_rid("review-meeting"),
        )
        for n, progress, note in (
            (1, 60, "Ruokailut ja iltarutiini onnistuvat useimpina päivinä."),
            (2, 30, "Vanhemmat ovat sopineet yhteisistä säännöistä; riitoja on edelleen."),
            (3, 70, "Syyskuussa kaksi poissaoloa, lokakuussa yksi."),
            (4, 50, "Iida kertoo huolistaan perhetyöntekijälle; esikoulussa vielä arka."),
        ):
            self._update(n, GoalStatus.IN_PROGRESS, progress, note, on=review,
                         actor=_PRODUCER_SW, step="review")
        self.clock.at(review, 15, 40)
        self.cases.agree_plan(
            self.case_id, agreed_on=review,
            agreements=[
                "Perhekuntoutus jatkuu 18.12.2020 asti; kotikäynnit vähenevät marraskuusta "
                "alkaen yhteen viikossa.",
                "Viikkotavoitteet jatkuvat; painopisteenä iltarutiinit ja vanhempien yhteiset "
                "kasvatuskäytännöt.",
                "Vastaava sosiaalityöntekijä tapaa Eetua ja Iidaa ennen loppupalaveria.",
                "Loppupalaverissa joulukuussa arvioidaan tuen tarve jakson jälkeen.",
            ],
            dissent=["Huoltaja (isä) toivoo kotikäyntien päättyvän jo marraskuussa."],
            review_due_on=date(2020, 12, 16), actor=_PURCHASER, request_id=_rid("plan-2"),
        )
        self.clock.at(date(2020, 11, 18), 16, 0)
        self.cases.record_meeting(
            self.case_id, kind=MeetingKind.CHILD_MEETING, held_on=date(2020, 11, 18),
            participants=["Eetu", "Iida", "vastaava sosiaalityöntekijä"],
            summary="Sosiaalityöntekijä tapasi lapset koulun ja esikoulun jälkeen.",
            actor=_PURCHASER, request_id=_rid("child-meeting-2"),
        )
        self.cases.record_child_view(
            self.case_id, child_id=_EETU.id, recorded_on=date(2020, 11, 18), actor=_PURCHASER,
            view="Nyt on parempi, kun ei tarvitse valvoa myöhään. Kotona huudetaan vähemmän.",
            request_id=_rid("view-eetu-november"),
        )

    def ending(self) -> None:
        """16.-21.12.2020: closing meeting, final goal statuses, the service and case end."""
        closing = date(2020, 12, 16)
        self.clock.at(closing, 14, 30)
        self.cases.record_meeting(
            self.case_id, kind=MeetingKind.CLOSING, held_on=closing,
            participants=("Eetu", *_TEAM[:-1]),
            summary="Arvioitiin perhekuntoutuksen tulokset. Lastensuojelun tarve on "
            "päättynyt; tuki jatkuu sosiaalihuoltolain mukaisena perhesosiaalityönä.",
            actor=_PURCHASER, request_id=_rid("closing-meeting"),
        )
        for n, status, progress, note in (
            (1, GoalStatus.ACHIEVED, 100, "Päivärytmi on vakiintunut."),
            (2, GoalStatus.NOT_ACHIEVED, 70, "Käytännöistä on sovittu, mutta niissä pysyminen "
             "vaatii vielä tukea; jatketaan perhesosiaalityössä."),
            (3, GoalStatus.ACHIEVED, 100, "Ei poissaoloja marras–joulukuussa."),
            (4, GoalStatus.ACHIEVED, 100, "Iida kertoo huolistaan myös esikoulun opettajalle."),
        ):
            self._update(n, status, progress, note, on=closing, actor=_PRODUCER_SW,
                         step="final")
        if self.service_id is not None:
            self.clock.at(_TERM_ENDS, 12, 0)
            self.cases.end_service(
                self.case_id, self.service_id, ended_on=_TERM_ENDS, actor=_PURCHASER,
                reason="Perhekuntoutusjakso päättyi suunnitellusti.",
                request_id=_rid("end-rehabilitation"),
            )
        self.clock.at(date(2020, 12, 21), 10, 15)
        self.cases.close_case(
            self.case_id, closed_on=date(2020, 12, 21), reason=ClosureReason.NO_LONGER_NEEDED,
            child_views={
                _EETU.id: "Hyvä että perhetyöntekijät kävivät. Nyt pärjätään, mutta haluan "
                "tietää, keneen voin ottaa yhteyttä.",
                _IIDA.id: "Oli kivaa kun leikittiin. Nyt ei enää jännitä iltaisin.",
            },
            not_heard_reasons={_VAUVA.id: "Vauvaikäinen: näkemystä ei voi selvittää."},
            successor=Successor(kind=SuccessorKind.FAMILY_SOCIAL_WORK),
            actor=_PURCHASER, request_id=_rid("close"),
        )

    def _update(
        self, n: int, status: GoalStatus, progress: int, note: str, *, on: date, actor: Actor,
        step: str,
    ) -> None:
        """Update goal number ``n`` (T1 is 1)."""
        self.cases.update_goal(
            self.case_id, self.goals[n - 1], status=status, progress=progress, note=note,
            updated_on=on, actor=actor, request_id=_rid(f"goal-{n}-{step}"),
        )


def record_demo_story(cases: FamilyCases, clock: StoryClock) -> UUID:
    """Demo story (esittelytarina): family rehabilitation in a child-welfare family, 2020.

    Follows the blog post of ``seeds/``: a child-welfare notification on 6.8.2020, the case
    opens on 12.8. and its needs assessment is made by 19.8.; goals and a plan are
    agreed, family rehabilitation (perhekuntoutus) is bought from a producer, goals are
    reviewed weekly and at the intermediate review, and the case closes in December with each
    child's view of the ending. Every step carries a request id, so recording the story again
    into the same store changes nothing and returns the same id. All people and
    organisations are fictional. ``clock`` must be the store's clock (``FamilyCases(...,
    clock=clock)``): the story sets it before each step.
    """
    story = _Story.open(cases, clock)
    story.beginning()
    story.assessment()
    story.plan()
    story.rehabilitation()
    story.weekly_goals()
    story.newborn()
    story.review()
    story.ending()
    return story.case_id


