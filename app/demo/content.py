"""What the demo portfolio is made of: the instruction-tuning wave of spring
2023 as it really happened (dates, organisations, addresses), and a
researcher's projects written against it. Plain data; app/demo/service.py
loads it through the services."""

from dataclasses import dataclass, field
from datetime import date

from app.journal.models import EntryKind
from app.projects.models import ProjectStatus, SuccessAxis
from app.releases.models import LinkEffect, ReleaseKind


@dataclass(frozen=True)
class DemoRelease:
    key: str
    title: str
    kind: ReleaseKind
    organisation: str
    released_on: date
    url: str
    summary: str


def _r(key, title, kind, organisation, released_on, url, summary) -> DemoRelease:
    return DemoRelease(key, title, kind, organisation, released_on, url, summary)


P, M, D, B = ReleaseKind.paper, ReleaseKind.model, ReleaseKind.dataset, ReleaseKind.benchmark

RELEASES = [
    _r(
        "unnatural",
        "Unnatural Instructions: Tuning Language Models with (Almost) No Human Labor",
        P,
        "Meta AI",
        date(2022, 12, 19),
        "https://arxiv.org/abs/2212.09689",
        "Prompts a large model with a few seed examples to invent a broad set of new tasks, "
        "then rephrases them; models tuned on the result rival those tuned on curated sets.",
    ),
    _r(
        "self_instruct",
        "Self-Instruct: Aligning Language Models with Self-Generated Instructions",
        P,
        "University of Washington",
        date(2022, 12, 20),
        "https://arxiv.org/abs/2212.10560",
        "Bootstraps instruction data from the model itself: 175 seed tasks grow into 52k "
        "instructions after filtering. The recipe most of the spring's chat models reused.",
    ),
    _r(
        "flan",
        "The Flan Collection: Designing Data and Methods for Effective Instruction Tuning",
        P,
        "Google Research",
        date(2023, 1, 31),
        "https://arxiv.org/abs/2301.13688",
        "Ablates what matters in large multi-task instruction mixtures: task balance, "
        "mixed zero- and few-shot templates, chain-of-thought data. Releases the mixture.",
    ),
    _r(
        "llama",
        "LLaMA: Open and Efficient Foundation Language Models",
        M,
        "Meta AI",
        date(2023, 2, 27),
        "https://arxiv.org/abs/2302.13971",
        "Foundation models from 7B to 65B parameters trained on public data only; weights "
        "shared with researchers. The base nearly every spring-2023 chat model was tuned from.",
    ),
    _r(
        "alpaca",
        "Alpaca: A Strong, Replicable Instruction-Following Model",
        M,
        "Stanford CRFM",
        date(2023, 3, 13),
        "https://crfm.stanford.edu/2023/03/13/alpaca.html",
        "LLaMA 7B tuned on 52k Self-Instruct-style demonstrations generated with "
        "text-davinci-003 for under $600; behaves much like the teacher in small tests.",
    ),
    _r(
        "gpt4",
        "GPT-4 Technical Report",
        P,
        "OpenAI",
        date(2023, 3, 15),
        "https://arxiv.org/abs/2303.08774",
        "A multimodal model with large gains on professional and academic exams; the report "
        "gives capabilities and safety work but no architecture or data details.",
    ),
    _r(
        "vicuna",
        "Vicuna: An Open-Source Chatbot Impressing GPT-4 with 90% ChatGPT Quality",
        M,
        "LMSYS",
        date(2023, 3, 30),
        "https://lmsys.org/blog/2023-03-30-vicuna/",
        "LLaMA tuned on about 70k conversations shared by users on ShareGPT, judged by GPT-4 "
        "against other chatbots. Popularised model-as-judge evaluation.",
    ),
    _r(
        "koala",
        "Koala: A Dialogue Model for Academic Research",
        M,
        "Berkeley AI Research (BAIR)",
        date(2023, 4, 3),
        "https://bair.berkeley.edu/blog/2023/04/03/koala/",
        "LLaMA 13B tuned on dialogue gathered from the web and public datasets; a user study "
        "finds carefully chosen data matters more than its amount.",
    ),
    _r(
        "baize",
        "Baize: An Open-Source Chat Model with Parameter-Efficient Tuning on Self-Chat Data",
        M,
        "UC San Diego, Sun Yat-sen University",
        date(2023, 4, 3),
        "https://arxiv.org/abs/2304.01196",
        "ChatGPT talks to itself to produce multi-turn dialogues, which tune LLaMA with LoRA; "
        "adds self-distillation with feedback.",
    ),
    _r(
        "dolly",
        "Dolly 2.0: the first open, commercially viable instruction-tuned LLM",
        M,
        "Databricks",
        date(2023, 4, 12),
        "https://www.databricks.com/blog/2023/04/12/dolly-first-open-commercially-viable-"
        "instruction-tuned-llm",
        "A Pythia 12B model tuned on databricks-dolly-15k, 15,000 instructions written by "
        "employees, released under a licence that allows commercial use.",
    ),
    _r(
        "oasst",
        "OpenAssistant Conversations: Democratizing Large Language Model Alignment",
        D,
        "LAION / OpenAssistant",
        date(2023, 4, 14),
        "https://arxiv.org/abs/2304.07327",
        "161k messages in 35 languages, written and ranked by more than 13,000 volunteers: "
        "a human-made conversation corpus with quality ratings, openly licensed.",
    ),
    _r(
        "redpajama",
        "RedPajama: reproducing the LLaMA training dataset",
        D,
        "Together",
        date(2023, 4, 17),
        "https://www.together.ai/blog/redpajama",
        "An open reproduction of LLaMA's pre-training corpus, over 1.2 trillion tokens, as a "
        "first step towards fully open base models.",
    ),
    _r(
        "wizardlm",
        "WizardLM: Empowering Large Language Models to Follow Complex Instructions",
        P,
        "Microsoft, Peking University",
        date(2023, 4, 24),
        "https://arxiv.org/abs/2304.12244",
        "Evol-Instruct rewrites seed instructions into harder and broader ones step by step; "
        "tuning on the evolved set helps most on complex instructions.",
    ),
    _r(
        "arena",
        "Chatbot Arena: Benchmarking LLMs in the Wild with Elo Ratings",
        B,
        "LMSYS",
        date(2023, 5, 3),
        "https://lmsys.org/blog/2023-05-03-arena/",
        "Anonymous side-by-side battles voted on by visitors, turned into Elo ratings: a "
        "crowd-sourced leaderboard of chat models.",
    ),
    _r(
        "lima",
        "LIMA: Less Is More for Alignment",
        P,
        "Meta AI",
        date(2023, 5, 18),
        "https://arxiv.org/abs/2305.11206",
        "LLaMA 65B tuned on only 1,000 carefully curated prompts and responses, without RLHF, "
        "is preferred to several larger-data models: alignment as mostly learning a format.",
    ),
    _r(
        "alpacafarm",
        "AlpacaFarm: A Simulation Framework for Methods that Learn from Human Feedback",
        B,
        "Stanford",
        date(2023, 5, 22),
        "https://arxiv.org/abs/2305.14387",
        "Simulates human preference annotators with API models at a fraction of the cost, "
        "with an evaluation set and reference implementations of feedback methods.",
    ),
    _r(
        "qlora",
        "QLoRA: Efficient Finetuning of Quantized LLMs",
        P,
        "University of Washington",
        date(2023, 5, 23),
        "https://arxiv.org/abs/2305.14314",
        "Back-propagates through a frozen 4-bit quantized model into LoRA adapters: a 65B "
        "model tuned on one 48 GB GPU. Introduces NF4 and paged optimisers.",
    ),
    _r(
        "guanaco",
        "Guanaco models (QLoRA-tuned LLaMA on OASST1)",
        M,
        "University of Washington",
        date(2023, 5, 23),
        "https://github.com/artidoro/qlora",
        "The chat models released with QLoRA: LLaMA from 7B to 65B tuned on OpenAssistant "
        "conversations, close to ChatGPT in the paper's model-judged comparisons.",
    ),
    _r(
        "false_promise",
        "The False Promise of Imitating Proprietary LLMs",
        P,
        "UC Berkeley",
        date(2023, 5, 25),
        "https://arxiv.org/abs/2305.15717",
        "Imitation models copy ChatGPT's style, and crowd raters like them, but targeted "
        "evaluations show little gain in factuality or capability: the gap is in the base model.",
    ),
    _r(
        "orca",
        "Orca: Progressive Learning from Complex Explanation Traces of GPT-4",
        P,
        "Microsoft Research",
        date(2023, 6, 5),
        "https://arxiv.org/abs/2306.02707",
        "A 13B model learns from GPT-4's step-by-step explanations rather than bare answers, "
        "with ChatGPT as an intermediate teacher; large gains on reasoning benchmarks.",
    ),
    _r(
        "tulu",
        "How Far Can Camels Go? Exploring the State of Instruction Tuning on Open Resources",
        P,
        "Allen Institute for AI (AI2)",
        date(2023, 6, 7),
        "https://arxiv.org/abs/2306.04751",
        "Tülu: LLaMA models tuned on many open instruction datasets and their mixtures, "
        "evaluated broadly; no single dataset wins everywhere, mixtures do best on average.",
    ),
    _r(
        "mtbench",
        "Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena",
        B,
        "LMSYS",
        date(2023, 6, 9),
        "https://arxiv.org/abs/2306.05685",
        "Measures how often a strong model's verdicts agree with people's (over 80%, like "
        "people among themselves), its position and verbosity biases, and adds MT-Bench.",
    ),
    _r(
        "llama2",
        "Llama 2: Open Foundation and Fine-Tuned Chat Models",
        M,
        "Meta AI",
        date(2023, 7, 18),
        "https://arxiv.org/abs/2307.09288",
        "Base and chat models from 7B to 70B under a licence allowing most commercial use, "
        "with a long account of the supervised and RLHF tuning behind the chat versions.",
    ),
]


@dataclass(frozen=True)
class Link:
    release: str
    effect: LinkEffect
    note: str = ""


@dataclass(frozen=True)
class Scores:
    attainability: int
    scoop_risk: int
    impact: int
    axis: SuccessAxis
    attainability_why: str
    scoop_risk_why: str
    impact_why: str


@dataclass(frozen=True)
class Plan:
    goal: str
    approach: str
    differentiation: str
    contingency: str
    questions: str = ""
    horizon_weeks: int = 12


@dataclass
class DemoProject:
    key: str
    title: str
    summary: str
    keywords: list[str]
    status: ProjectStatus
    scores: Scores
    plan: Plan
    shared: bool = False
    links: list[Link] = field(default_factory=list)
    # A later look at the scores and the plan (history on the project page).
    rescore: dict | None = None
    revision: Plan | None = None


FIRST, BEST, OPEN = SuccessAxis.first, SuccessAxis.best, SuccessAxis.open
S = LinkEffect

PROJECTS = [
    DemoProject(
        "curated",
        "Small curated instruction sets",
        "Can a few hundred hand-checked instruction examples tune a base model as well as "
        "tens of thousands of synthetic ones?",
        ["instruction tuning", "data quality", "alignment"],
        ProjectStatus.active,
        Scores(
            4,
            4,
            4,
            FIRST,
            "Data curation and tuning runs fit the group's GPUs; two weeks per ablation.",
            "Every lab with a LLaMA checkpoint can try a small set; the idea is in the air.",
            "If true it changes what groups spend their annotation money on.",
        ),
        Plan(
            "Show that 500–1,000 curated examples match a 52k synthetic set on open evaluations.",
            "Curate from existing open sets by hand, tune LLaMA 7B and 13B, compare to Alpaca.",
            "Our annotation guidelines and the release of every rejected example with its reason.",
            "If someone ships first, turn it into the most careful evaluation of small-data "
            "tuning: more seeds, human ratings, and which skills small sets miss.",
            "Do we value being first here, or being the definitive study?\n"
            "Can we pay for two weeks of human ratings if we are scooped?",
        ),
        shared=True,
        links=[
            Link("alpaca", S.new_baseline, "The 52k synthetic baseline we compare against."),
            Link("koala", S.reinforces, "Their user study says data quality beats quantity."),
        ],
    ),
    DemoProject(
        "imitation",
        "What imitation models really learn",
        "Do chat models tuned on a stronger model's outputs gain ability, or only its style?",
        ["evaluation", "imitation", "distillation"],
        ProjectStatus.active,
        Scores(
            4,
            3,
            4,
            BEST,
            "Evaluation only: no training beyond small fine-tunes we can afford.",
            "Others are asking, but a thorough evaluation takes months to do well.",
            "Would tell the field how far open chat models really are from the teacher.",
        ),
        Plan(
            "A targeted evaluation separating style from capability in imitation models.",
            "Paired prompts where style and correctness disagree; human and model raters.",
            "Breadth of targeted probes and released rater data; nobody else will do both.",
            "If a similar study lands, extend it to newer imitation models and to code.",
            "Is a paper without a new model worth a quarter of the group's time?",
        ),
        shared=True,
        links=[
            Link(
                "false_promise",
                S.reinforces,
                "Same conclusion from another angle: strong "
                "support for the question, our probes go further.",
            ),
            Link("vicuna", S.related, "One of the imitation models we evaluate."),
            Link("alpacafarm", S.new_baseline, "Their simulated raters are a baseline for ours."),
        ],
        rescore={
            "scoop_risk": 2,
            "scoop_risk_rationale": "The Berkeley paper took the headline; a careful "
            "evaluation is still open, and it reinforced our plan rather than breaking it.",
        },
        revision=Plan(
            "A targeted evaluation separating style from capability, across model sizes.",
            "Paired prompts, plus the Berkeley paper's tasks for comparison; three sizes.",
            "Size scaling and released rater data, which the published work lacks.",
            "If a larger study lands, contribute our probes to it as a benchmark.",
            "Can we publish the rater data under an open licence?",
            horizon_weeks=16,
        ),
    ),
    DemoProject(
        "multilingual",
        "Open multilingual instruction data",
        "How much does human-written instruction data in ten languages improve open models "
        "for speakers of those languages?",
        ["multilingual", "datasets", "open data"],
        ProjectStatus.active,
        Scores(
            3,
            2,
            5,
            OPEN,
            "Needs volunteer annotators in ten languages; we have partners for six.",
            "Few groups collect new human data; most translate English sets.",
            "An open dataset that others build on for years.",
        ),
        Plan(
            "10,000 human-written instructions in ten languages, openly licensed.",
            "Partner universities collect; we review, deduplicate and document.",
            "Human-written, not translated; an open licence and a datasheet.",
            "If a bigger set appears, contribute our languages to it instead of competing.",
            "Can we fund annotators in the four missing languages?",
            horizon_weeks=26,
        ),
        links=[
            Link("oasst", S.reinforces, "35 languages of volunteer data shows it can be done."),
            Link("dolly", S.related, "Their employee-written set is the English model for ours."),
        ],
    ),
    DemoProject(
        "one_gpu",
        "Fine-tuning 30B models on one GPU",
        "Can a 30B model be instruction-tuned on a single 24 GB card without losing quality?",
        ["efficiency", "quantization", "lora"],
        ProjectStatus.paused,
        Scores(
            3,
            5,
            3,
            FIRST,
            "Kernel work is hard; we have one engineer who knows CUDA.",
            "Many systems groups are racing on exactly this.",
            "Would open large-model tuning to small labs.",
        ),
        Plan(
            "Tune a 30B model on a 24 GB card with adapters over a quantized base.",
            "8-bit base, LoRA adapters, gradient checkpointing; compare with full tuning.",
            "Little beyond speed: this is a race.",
            "If scooped, use their method for our own tuning runs and stop here.",
        ),
        links=[
            Link(
                "qlora",
                S.partial_scoop,
                "4-bit base and adapters on one GPU: most of our plan. "
                "Paused; we now use QLoRA for our own runs.",
            ),
            Link("guanaco", S.related),
        ],
    ),
    DemoProject(
        "judges",
        "When do model judges agree with people?",
        "For which kinds of prompts can a strong model's preference stand in for human raters?",
        ["evaluation", "llm-as-judge", "human ratings"],
        ProjectStatus.active,
        Scores(
            4,
            3,
            3,
            BEST,
            "We have 4,000 human pairwise ratings from an earlier study to compare against.",
            "Model-as-judge is everywhere; a systematic study is likely soon.",
            "Every leaderboard built on model judges depends on the answer.",
        ),
        Plan(
            "Agreement between model judges and people, broken down by prompt type.",
            "Re-rate our 4,000 human pairs with three judge models; analyse disagreements.",
            "Our human ratings cover reasoning and refusals, which public sets lack.",
            "If a broad study lands, narrow to the prompt types it did not cover.",
            "Should we release the human ratings before the paper?",
        ),
        shared=True,
        links=[
            Link("mtbench", S.new_baseline, "Their 80% agreement is the number to explain."),
            Link("arena", S.related, "Crowd votes as another source of human preference."),
            Link("vicuna", S.related, "Where GPT-4-as-judge was first used widely."),
        ],
        revision=Plan(
            "Where model judges and people disagree, by prompt type, against MT-Bench's figures.",
            "Our 4,000 pairs plus MT-Bench's human judgements, rated by three judge models.",
            "Reasoning and refusal prompts, and position-bias controls on every pair.",
            "If scooped on the breakdown, publish the rating data as a benchmark.",
            "Should we release the human ratings before the paper?",
        ),
    ),
    DemoProject(
        "code_instruct",
        "Self-generated instructions for code",
        "Does evolving instructions towards harder ones help code models as much as chat models?",
        ["code", "synthetic data", "instruction tuning"],
        ProjectStatus.idea,
        Scores(
            4,
            4,
            3,
            FIRST,
            "Generation is cheap; code execution gives free correctness labels.",
            "Evol-Instruct for code is an obvious next step for its authors.",
            "Useful, but a step on from existing work.",
        ),
        Plan(
            "Harder, executable code instructions generated from simple seeds.",
            "Self-Instruct seeds, evolved with tests; filter by whether solutions pass.",
            "Execution-checked data: only correct solutions kept.",
            "If the WizardLM group ships a code version, build on their data with our filter.",
        ),
        links=[
            Link("self_instruct", S.related, "The seed-and-filter recipe we start from."),
            Link(
                "wizardlm",
                S.partial_scoop,
                "Evol-Instruct covers the evolving; our execution filter still stands.",
            ),
        ],
    ),
    DemoProject(
        "explanations",
        "Tuning small models on explanations",
        "Do step-by-step explanations from a teacher help a 7B model more than answers alone?",
        ["distillation", "reasoning", "small models"],
        ProjectStatus.idea,
        Scores(
            3,
            4,
            4,
            BEST,
            "Needs a lot of teacher calls; our API budget covers a tenth of what we want.",
            "Obvious next step after imitation models; big labs have the budget.",
            "Better small reasoners would matter for everyone running models locally.",
        ),
        Plan(
            "Measure the gain from explanation traces over bare answers at 7B.",
            "Same prompts, answer-only and explanation targets; evaluate on reasoning sets.",
            "Controlled comparison at small scale, with the cost per point of gain.",
            "If a large lab ships it first, reproduce at 7B with open teachers only.",
        ),
        links=[Link("orca", S.partial_scoop, "Explanation tuning at 13B with GPT-4 traces.")],
    ),
    DemoProject(
        "provenance",
        "Instruction data provenance audit",
        "Where did the data in popular instruction sets come from, and what may it be used for?",
        ["licensing", "datasets", "documentation"],
        ProjectStatus.active,
        Scores(
            5,
            2,
            4,
            OPEN,
            "Reading and tracing, no compute; two of us part-time.",
            "Tedious work few want to do; low risk of someone else finishing first.",
            "Practitioners need to know what they may ship.",
        ),
        Plan(
            "A public table of licences and sources for 30 instruction datasets.",
            "Trace each dataset to its origins; record terms of every source model and site.",
            "Completeness and an open, maintained table rather than a one-off paper.",
            "If a similar audit appears, merge ours into it and maintain the union.",
            "May we publish findings about datasets our partners made?",
        ),
        links=[
            Link("dolly", S.reinforces, "Shows demand for clearly licensed instruction data."),
            Link("oasst", S.reinforces),
            Link("redpajama", S.related, "Pre-training data, with sources documented."),
        ],
    ),
    DemoProject(
        "self_chat",
        "Self-chat dialogue data",
        "Can a model talking to itself produce multi-turn data good enough to tune on?",
        ["dialogue", "synthetic data"],
        ProjectStatus.shipped,
        Scores(
            5,
            5,
            2,
            FIRST,
            "A weekend of API calls and one tuning run.",
            "Too easy: anyone could do it.",
            "A small contribution unless the data is unusually good.",
        ),
        Plan(
            "Release a self-chat dialogue set and a model tuned on it.",
            "Seed topics from forums, let the model play both sides, filter, tune LLaMA 7B.",
            "Our topic seeding from real questions.",
            "If scooped, publish our seeding method as a short note and move on.",
        ),
        links=[
            Link(
                "baize",
                S.scoop,
                "Baize did this first, with LoRA and more data. We "
                "shipped our seeding method as a note, as planned.",
            )
        ],
    ),
    DemoProject(
        "mixtures",
        "Which instruction datasets to mix",
        "Is there a mixture of open instruction sets that beats every single one on every task?",
        ["datasets", "ablations", "instruction tuning"],
        ProjectStatus.idea,
        Scores(
            2,
            3,
            3,
            BEST,
            "Dozens of tuning runs at 13B: beyond our budget without a grant.",
            "Groups with more compute are well placed to do this.",
            "Would save everyone guessing, if done thoroughly.",
        ),
        Plan(
            "Systematic mixture ablations over ten open instruction sets.",
            "Leave-one-out and greedy mixtures at 7B; confirm the best at 13B.",
            "Per-skill analysis of what each set adds.",
            "If a thorough study lands, use its mixtures and study per-skill effects only.",
        ),
        links=[
            Link("tulu", S.new_baseline, "Tülu's mixtures are now the baseline to beat."),
            Link("flan", S.related),
        ],
    ),
]

# The project re-planned after a scoop, and the release that scooped it.
SCOOPED_PROJECT = "curated"
SCOOP_RELEASE = "lima"
REPLAN = {
    "what_they_did": "Tuned LLaMA 65B on 1,000 curated examples without RLHF and showed it "
    "holds up against much larger data sets in human preference tests.",
    "what_stands": "Our annotation guidelines, the rejected examples with reasons, and an "
    "evaluation of which skills small sets miss: they measured preference, not skills.",
    "learnings": "The idea was ready for anyone with a base model; being first was never "
    "likely. Writing the contingency down in March made this a one-afternoon re-plan.",
    "scores": Scores(
        4,
        2,
        4,
        BEST,
        "Same data work; the evaluation adds two weeks of human ratings, now funded.",
        "The headline is taken; a careful skill-by-skill evaluation is not.",
        "Still high: LIMA raised interest in exactly what small sets can and cannot do.",
    ),
    "plan": Plan(
        "The definitive evaluation of small curated sets: which skills they teach and miss.",
        "Build on LIMA's data and ours; skill-level evaluations, several seeds, human ratings.",
        "Skill breakdown, variance across seeds, and the rejected-example set.",
        "If a skill-level study appears, release our ratings and join forces.",
        "Is a best-not-first paper what we want from this project now?",
        horizon_weeks=10,
    ),
}

TEAM_NAME = "Instruction Tuning Lab"
FEED_QUERY = 'cat:cs.CL AND abs:"instruction tuning"'
# Logged but linked to nothing yet: matching suggests where they belong.
UNLINKED = ("gpt4", "unnatural", "llama", "llama2")

# The journal: (weeks ago, weekday 0=Monday, kind, project key or None, hours,
# energy, body, learned). Three months at a pace one could keep.
K = EntryKind
JOURNAL = [
    (
        12,
        0,
        K.planning,
        "curated",
        2,
        4,
        "Wrote the first plan for the curated-set project "
        "and the contingency if someone ships first.",
        "Writing the contingency took longer than the plan.",
    ),
    (
        12,
        2,
        K.reading,
        None,
        2,
        4,
        "Read Self-Instruct and Unnatural Instructions side by side.",
        "Both filter hard; the filter matters as much as the generator.",
    ),
    (12, 3, K.experiment, "curated", 5, 3, "First tuning run on 300 hand-picked examples.", ""),
    (
        11,
        0,
        K.evaluation,
        "curated",
        4,
        3,
        "Compared the 300-example model with Alpaca on our held-out prompts.",
        "Close on chat, clearly worse on multi-step tasks.",
    ),
    (
        11,
        1,
        K.infrastructure,
        None,
        3,
        3,
        "Moved the tuning scripts onto the shared cluster queue.",
        "",
    ),
    (11, 3, K.reading, "imitation", 2, 4, "Notes on how Vicuna was judged by GPT-4.", ""),
    (11, 5, K.rest, None, None, 5, "Long walk, no laptop.", ""),
    (
        10,
        0,
        K.experiment,
        "imitation",
        4,
        4,
        "Built 50 paired prompts where style and correctness disagree.",
        "Harder to write than expected: raters reward confidence.",
    ),
    (
        10,
        2,
        K.writing,
        "provenance",
        3,
        4,
        "Traced the licences of five datasets.",
        "Two of five inherit terms nobody mentions.",
    ),
    (10, 4, K.planning, None, 1, 3, "Weekly planning with Sam.", ""),
    (
        9,
        0,
        K.experiment,
        "judges",
        5,
        3,
        "Re-rated 1,000 human pairs with the first judge model.",
        "",
    ),
    (
        9,
        1,
        K.evaluation,
        "judges",
        4,
        3,
        "First agreement figures: 74% overall, much lower on refusals.",
        "Refusals are where judges and people disagree most.",
    ),
    (
        9,
        3,
        K.reading,
        "one_gpu",
        2,
        3,
        "Read the QLoRA paper. Most of our one-GPU plan is there.",
        "Pausing is the honest move; we can use their method for our runs.",
    ),
    (9, 4, K.planning, "one_gpu", 1, 3, "Paused the one-GPU project; wrote down why.", ""),
    (8, 0, K.experiment, "curated", 5, 4, "Second curated run, 800 examples, two seeds.", ""),
    (
        8,
        2,
        K.evaluation,
        "curated",
        4,
        4,
        "Seeds differ by 3 points on our prompts.",
        "We need more seeds than we budgeted for.",
    ),
    (8, 3, K.writing, "imitation", 3, 4, "Drafted the evaluation protocol.", ""),
    (
        8,
        6,
        K.experiment,
        "curated",
        3,
        2,
        "Weekend run to catch the cluster while it was free.",
        "Not worth it: tired on Monday.",
    ),
    (7, 0, K.rest, None, None, 4, "Took Monday off after the weekend run.", ""),
    (
        7,
        1,
        K.reading,
        "curated",
        2,
        3,
        "Read LIMA. It is our project at 65B, with better human evaluations.",
        "Our contingency applies: differentiate on evaluation.",
    ),
    (
        7,
        2,
        K.planning,
        "curated",
        2,
        4,
        "Worked through the re-plan with Sam's acknowledgement in hand.",
        "",
    ),
    (7, 4, K.evaluation, "curated", 4, 4, "Designed the skill-by-skill evaluation.", ""),
    (
        6,
        0,
        K.experiment,
        "multilingual",
        3,
        4,
        "Pilot with two partner universities: 200 instructions each.",
        "",
    ),
    (
        6,
        1,
        K.writing,
        "multilingual",
        2,
        4,
        "Wrote annotator guidelines in plain language.",
        "Examples in the guidelines help more than rules.",
    ),
    (6, 3, K.infrastructure, "multilingual", 3, 3, "Set up deduplication across languages.", ""),
    (
        6,
        4,
        K.reading,
        None,
        2,
        4,
        "Read the Tülu paper.",
        "Mixtures beat single sets on average; no single set wins everywhere.",
    ),
    (
        5,
        0,
        K.evaluation,
        "imitation",
        5,
        3,
        "Ran the paired prompts on four imitation models.",
        "All four copy style; none gains on the hard half.",
    ),
    (5, 2, K.writing, "imitation", 3, 4, "Results section draft.", ""),
    (5, 3, K.experiment, "judges", 4, 3, "Second judge model on the same pairs.", ""),
    (5, 5, K.rest, None, None, 5, "Weekend off.", ""),
    (
        4,
        0,
        K.evaluation,
        "judges",
        4,
        4,
        "Position bias: swapping answer order flips 11% of verdicts.",
        "Every judged pair needs both orders.",
    ),
    (4, 1, K.reading, "code_instruct", 2, 4, "Read WizardLM's Evol-Instruct.", ""),
    (
        4,
        3,
        K.planning,
        "code_instruct",
        1,
        4,
        "Sketched the execution filter for code instructions.",
        "",
    ),
    (
        4,
        4,
        K.writing,
        "provenance",
        3,
        4,
        "Ten more datasets traced; table published internally.",
        "",
    ),
    (3, 0, K.experiment, "curated", 5, 4, "Skill evaluation, first pass, three seeds.", ""),
    (
        3,
        1,
        K.evaluation,
        "curated",
        4,
        4,
        "Small sets miss arithmetic and long-form structure.",
        "This is the finding LIMA's evaluation could not show.",
    ),
    (3, 3, K.writing, "curated", 3, 4, "Outline of the best-not-first paper.", ""),
    (3, 4, K.rest, None, None, 4, "Short day, early finish.", ""),
    (
        2,
        0,
        K.reading,
        "explanations",
        2,
        4,
        "Read Orca.",
        "Explanation traces help; the cost of traces is the open question at small scale.",
    ),
    (2, 1, K.experiment, "multilingual", 4, 3, "Second pilot batch in four languages.", ""),
    (
        2,
        3,
        K.evaluation,
        "multilingual",
        3,
        3,
        "Checked translationese in the pilot data.",
        "Annotators who write first and translate never produce the most natural data.",
    ),
    (2, 6, K.writing, "imitation", 2, 3, "Sunday edit of the discussion section.", ""),
    (
        1,
        0,
        K.planning,
        None,
        1,
        4,
        "Quarter planning: ranked the portfolio again.",
        "The curated project ranks high again now that it aims to be best.",
    ),
    (1, 1, K.experiment, "judges", 5, 3, "Third judge model; all pairs in both orders.", ""),
    (1, 2, K.writing, "judges", 3, 4, "Methods section for the judges paper.", ""),
    (1, 4, K.infrastructure, None, 2, 4, "Cleaned up the evaluation harness.", ""),
    (1, 5, K.rest, None, None, 5, "Saturday with friends; nothing about models.", ""),
    (
        0,
        0,
        K.evaluation,
        "curated",
        4,
        4,
        "Human ratings came back for two skills.",
        "People agree with our skill labels 85% of the time.",
    ),
    (0, 1, K.reading, "mixtures", 2, 4, "Flan Collection again, for the mixture ablations.", ""),
]

# The manager runs research too, on a smaller scale: a portfolio, a log and
# a journal of their own, and the team's feed.
MANAGER_RELEASES = ("gpt4", "llama2", "arena", "mtbench", "alpacafarm", "redpajama")
MANAGER_UNLINKED = ("alpacafarm", "gpt4", "llama2", "redpajama")
MANAGER_PROJECTS = [
    DemoProject(
        "lab_harness",
        "A shared evaluation harness for the lab",
        "Can every project in the lab report on one set of evaluations, run the same way?",
        ["evaluation", "infrastructure", "benchmarks"],
        ProjectStatus.active,
        Scores(
            4,
            1,
            3,
            OPEN,
            "Engineering we know how to do; a month of one person's time.",
            "Nobody else will build our lab's harness; public harnesses are a base, not a rival.",
            "Makes every paper's results comparable and saves each student a month.",
        ),
        Plan(
            "One harness that runs the lab's evaluations on any checkpoint overnight.",
            "Wrap public benchmarks and our own prompt sets; a results table per checkpoint.",
            "Our private prompt sets and the lab's review of every metric.",
            "If a public harness covers it all, adopt it and contribute our prompt sets.",
            horizon_weeks=8,
        ),
        shared=True,
        links=[
            Link("mtbench", S.related, "To include: MT-Bench prompts and judge."),
        ],
    ),
    DemoProject(
        "arena_study",
        "What crowd votes measure",
        "Do leaderboard votes reward helpfulness, or length and confidence?",
        ["evaluation", "human ratings", "leaderboards"],
        ProjectStatus.idea,
        Scores(
            3,
            3,
            4,
            BEST,
            "Needs access to vote data; some is public.",
            "Leaderboard critiques are a popular topic.",
            "Leaderboards steer where the field spends effort.",
        ),
        Plan(
            "Which answer features predict winning a crowd vote.",
            "Public battle data; control for length, formatting and refusal.",
            "Careful controls and a released analysis notebook.",
            "If someone publishes first, extend to the newest models' battles.",
        ),
        links=[Link("arena", S.new_baseline, "The data and the Elo method we start from.")],
    ),
]
# The team's feed follows evaluation suites; its last poll brought these two
# (what arXiv lists under that query), which matching then suggested for the
# lab's harness and the curated-set project.
MANAGER_FEED_QUERY = 'cat:cs.CL AND ti:"holistic evaluation"'
MANAGER_FEED_ITEMS = (
    _r(
        "helm",
        "Holistic Evaluation of Language Models",
        P,
        "Stanford CRFM",
        date(2022, 11, 16),
        "https://arxiv.org/abs/2211.09110",
        "Evaluates thirty language models on one shared set of scenarios and metrics, each "
        "run the same way, so that results are comparable across models; every prompt and "
        "completion is released with the evaluation toolkit, and the benchmark is kept up to "
        "date as new models appear.",
    ),
    _r(
        "instructeval",
        "INSTRUCTEVAL: Towards Holistic Evaluation of Instruction-Tuned Large Language Models",
        P,
        "Singapore University of Technology and Design; Alibaba DAMO Academy",
        date(2023, 6, 7),
        "https://arxiv.org/abs/2306.04757",
        "An evaluation suite for instruction-tuned models: problem solving, writing and "
        "alignment with human values, each benchmark run the same way for every model, with "
        "the code released so others can add models and tasks.",
    ),
)
MANAGER_JOURNAL = [
    (12, 1, K.planning, "lab_harness", 2, 4, "Agreed the harness's scope with the group.", ""),
    (
        10,
        2,
        K.reading,
        "arena_study",
        1,
        4,
        "Read the Chatbot Arena write-up.",
        "Votes are anonymous but prompts are not controlled.",
    ),
    (9, 0, K.infrastructure, "lab_harness", 3, 3, "First overnight run of the harness.", ""),
    (
        7,
        3,
        K.planning,
        None,
        1,
        3,
        "Reviewed Noor's re-plan after LIMA.",
        "The contingency written in March made the decision easy.",
    ),
    (6, 1, K.infrastructure, "lab_harness", 2, 4, "Added MT-Bench to the harness.", ""),
    (4, 2, K.reading, "arena_study", 1, 4, "Read about position bias in judges.", ""),
    (3, 5, K.rest, None, None, 5, "Weekend away.", ""),
    (2, 0, K.writing, "lab_harness", 2, 4, "Wrote the harness's README for students.", ""),
    (
        1,
        3,
        K.planning,
        None,
        1,
        4,
        "Quarter planning with the team.",
        "Two projects now aim to be best rather than first; the portfolio is calmer for it.",
    ),
    (
        0,
        1,
        K.evaluation,
        "lab_harness",
        2,
        4,
        "Checked harness results against published numbers.",
        "Within a point everywhere but one task.",
    ),
]
