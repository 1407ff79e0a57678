"""The two exam blueprints the kit maps to, as plain data.

Source: ``shared/EXAM-BLUEPRINTS.md`` (facts from the public exam guides). Notebooks and
questions are tagged with task-statement ids written ``"MLS 1.2"`` (MLS-C01, the Machine
Learning Specialty) or ``"MLA 3.1"`` (MLA-C01, the ML Engineer Associate).

>>> EXAMS["MLS-C01"].pass_mark
750
>>> task("MLA 3.1").title
'Select deployment infrastructure'
>>> domain_of("MLS 2.2").name
'Exploratory Data Analysis'
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "EXAMS",
    "MLA_C01",
    "MLS_C01",
    "MLS_C01_MINUTES",
    "Domain",
    "Exam",
    "Task",
    "domain_of",
    "get_exam",
    "is_valid_task",
    "task",
    "task_ids",
]

# The brief for this kit gives 170 minutes for MLS-C01; some exam guides say 180. This is
# the one place to change it: the practice-exam timer reads ``EXAMS["MLS-C01"].minutes``.
MLS_C01_MINUTES = 170


@dataclass(frozen=True)
class Task:
    """One task statement: ``id`` like ``"MLS 1.2"``, a short ``title`` and its ``topics``."""

    id: str
    title: str
    topics: str
    exam: str
    domain: int

    @property
    def number(self) -> str:
        """The number alone, e.g. ``"1.2"``."""
        return self.id.split(" ", 1)[1]


@dataclass(frozen=True)
class Domain:
    """A scored content domain: its number, name, weight (percent) and task statements."""

    exam: str
    number: int
    name: str
    weight: int
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class Exam:
    """An exam's format and its domains.

    ``questions`` counts all questions, ``scored`` the scored ones (the rest are unscored
    and unmarked). Scores are scaled from ``score_min`` to ``score_max``; ``pass_mark`` on
    that scale passes. ``category_mix`` gives, where the guide states it, the share of
    questions per category as ``(low, high)`` fractions.
    """

    code: str
    prefix: str
    name: str
    questions: int
    scored: int
    pass_mark: int
    minutes: int
    domains: tuple[Domain, ...]
    question_types: tuple[str, ...]
    score_min: int = 100
    score_max: int = 1000
    compensatory: bool = True
    last_test_date: str | None = None
    category_mix: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def unscored(self) -> int:
        """Questions that do not count toward the score."""
        return self.questions - self.scored

    def domain(self, number: int) -> Domain:
        """The domain with this number (1-based)."""
        for d in self.domains:
            if d.number == number:
                return d
        raise KeyError(f"{self.code} has no domain {number}")


def _build(
    code: str,
    prefix: str,
    name: str,
    domains: list[tuple[str, int, list[tuple[str, str]]]],
    **facts: object,
) -> Exam:
    built = []
    for number, (domain_name, weight, tasks) in enumerate(domains, start=1):
        task_objs = tuple(
            Task(id=f"{prefix} {number}.{i}", title=title, topics=topics, exam=code, domain=number)
            for i, (title, topics) in enumerate(tasks, start=1)
        )
        built.append(Domain(code, number, domain_name, weight, task_objs))
    return Exam(code=code, prefix=prefix, name=name, domains=tuple(built), **facts)  # type: ignore[arg-type]


MLS_C01 = _build(
    "MLS-C01",
    "MLS",
    "AWS Certified Machine Learning – Specialty",
    [
        (
            "Data Engineering",
            20,
            [
                (
                    "Create data repositories for ML",
                    "sources; storage: S3, EFS, EBS, databases",
                ),
                (
                    "Identify and implement a data ingestion solution",
                    "batch vs streaming; Kinesis Data Streams, Firehose, Managed Service for "
                    "Apache Flink, EMR, Glue; scheduling",
                ),
                (
                    "Identify and implement a data transformation solution",
                    "ETL in transit with Glue, EMR, AWS Batch; MapReduce: Hadoop, Spark, Hive",
                ),
            ],
        ),
        (
            "Exploratory Data Analysis",
            24,
            [
                (
                    "Sanitize and prepare data",
                    "missing and corrupt data, stop words; format, normalize, augment, scale; "
                    "enough labels? labeling with Ground Truth, Mechanical Turk",
                ),
                (
                    "Perform feature engineering",
                    "features from text, speech, images; binning, tokenization, outliers, "
                    "synthetic features, one-hot encoding, dimensionality reduction",
                ),
                (
                    "Analyze and visualize",
                    "scatter, time series, histogram, box plot; correlation, summary "
                    "statistics, p-value; clustering: hierarchical, elbow plot, cluster size",
                ),
            ],
        ),
        (
            "Modeling",
            36,
            [
                (
                    "Frame business problems as ML problems",
                    "when not to use ML; supervised vs unsupervised; classification, "
                    "regression, forecasting, clustering, recommendation, foundation models",
                ),
                (
                    "Select the appropriate model",
                    "XGBoost, logistic and linear regression, k-means, decision trees, random "
                    "forests, RNN, CNN, ensembles, transfer learning, LLMs; the intuition "
                    "behind each",
                ),
                (
                    "Train models",
                    "train/validation split, cross-validation; gradient descent, loss, "
                    "convergence; GPU or CPU, distributed or not, Spark or not; retraining "
                    "batch or online",
                ),
                (
                    "Hyperparameter optimization",
                    "dropout, L1/L2; model initialization; layers, nodes, learning rate, "
                    "activations; number and depth of trees",
                ),
                (
                    "Evaluate models",
                    "over- and underfitting, bias and variance; AUC-ROC, accuracy, precision, "
                    "recall, RMSE, F1; confusion matrix; offline vs online evaluation, A/B "
                    "tests; comparing models on quality, training time and engineering cost",
                ),
            ],
        ),
        (
            "ML Implementation and Operations",
            20,
            [
                (
                    "Performance, availability, scalability, resiliency, fault tolerance",
                    "CloudWatch, CloudTrail; multi-AZ and multi-Region; containers, AMIs; "
                    "Auto Scaling; rightsizing; load balancing",
                ),
                (
                    "Recommend the right ML services",
                    "Polly, Lex, Transcribe, Comprehend, Rekognition, Translate, Textract, "
                    "Forecast, ...; service quotas; built-in algorithm vs custom model; Spot "
                    "instances and cost",
                ),
                (
                    "Basic AWS security",
                    "IAM, bucket policies, security groups, VPC, encryption, anonymization",
                ),
                (
                    "Deploy and operationalize",
                    "endpoints and how to call them; A/B testing; retraining pipelines; "
                    "detect and mitigate performance drops; monitoring",
                ),
            ],
        ),
    ],
    questions=65,
    scored=50,
    pass_mark=750,
    minutes=MLS_C01_MINUTES,
    question_types=("multiple choice", "multiple response"),
    last_test_date="2026-03-31",
    category_mix={
        "general_aws": (0.15, 0.15),
        "ml_concept": (0.50, 0.60),
        "aws_ml_service": (0.25, 0.35),
    },
)

MLA_C01 = _build(
    "MLA-C01",
    "MLA",
    "AWS Certified Machine Learning Engineer – Associate",
    [
        (
            "Data Preparation for ML",
            28,
            [
                (
                    "Ingest and store data",
                    "Parquet, JSON, CSV, ORC, Avro, RecordIO; S3, EFS, FSx; Kinesis, Flink, "
                    "Kafka; Data Wrangler, Feature Store; merging sources with Glue or Spark",
                ),
                (
                    "Transform data and engineer features",
                    "cleaning, outliers, imputation; scaling, binning, log transform; one-hot, "
                    "binary, label encoding, tokenization; Data Wrangler, Glue, DataBrew; "
                    "labeling with Ground Truth, Mechanical Turk",
                ),
                (
                    "Ensure data integrity and prepare for modeling",
                    "pre-training bias metrics such as class imbalance and DPL; resampling, "
                    "synthetic data; encryption, masking, PII/PHI, residency; Glue Data "
                    "Quality; Clarify",
                ),
            ],
        ),
        (
            "ML Model Development",
            26,
            [
                (
                    "Choose a modeling approach",
                    "AI services such as Translate, Transcribe, Rekognition, Bedrock; "
                    "interpretability; built-in algorithms; JumpStart; cost",
                ),
                (
                    "Train and refine models",
                    "epochs, steps, batch size; early stopping; distributed training; dropout, "
                    "weight decay, L1/L2; random and Bayesian search; script mode; "
                    "fine-tuning; automatic model tuning; ensembling, boosting; model size "
                    "reduction; Model Registry",
                ),
                (
                    "Analyze model performance",
                    "confusion matrix, F1, RMSE, ROC/AUC; baselines; overfitting; Clarify; "
                    "convergence; shadow vs production variants; Debugger",
                ),
            ],
        ),
        (
            "Deployment and Orchestration of ML Workflows",
            22,
            [
                (
                    "Select deployment infrastructure",
                    "real-time, serverless, asynchronous, batch; containers; Neo; multi-model "
                    "and multi-container endpoints; Pipelines vs Airflow",
                ),
                (
                    "Create and script infrastructure",
                    "on-demand vs provisioned; scaling policies and metrics; CloudFormation, "
                    "CDK; bring your own container with ECR; endpoints in a VPC",
                ),
                (
                    "CI/CD for ML",
                    "CodePipeline, CodeBuild, CodeDeploy; Git flows; blue/green, canary, "
                    "linear deployment; EventBridge triggers; automated tests; retraining",
                ),
            ],
        ),
        (
            "ML Solution Monitoring, Maintenance, and Security",
            24,
            [
                (
                    "Monitor model inference",
                    "data and model drift; Model Monitor; Clarify; A/B tests",
                ),
                (
                    "Monitor and optimize infrastructure and cost",
                    "CloudWatch, Logs Insights, X-Ray, CloudTrail; Inference Recommender; "
                    "Cost Explorer, Budgets; Spot, On-Demand, Reserved, Savings Plans; tagging",
                ),
                (
                    "Secure resources",
                    "IAM, bucket policies, least privilege, SageMaker Role Manager; VPC, "
                    "subnets, security groups; securing CI/CD",
                ),
            ],
        ),
    ],
    questions=65,
    scored=50,
    pass_mark=720,
    minutes=130,
    question_types=(
        "multiple choice",
        "multiple response",
        "ordering",
        "matching",
        "case study",
    ),
)

#: Both exams by code.
EXAMS: dict[str, Exam] = {MLS_C01.code: MLS_C01, MLA_C01.code: MLA_C01}

_TASKS: dict[str, Task] = {t.id: t for e in EXAMS.values() for d in e.domains for t in d.tasks}


def get_exam(code: str) -> Exam:
    """The exam for ``code``: ``"MLS-C01"`` or ``"MLA-C01"`` (``"MLS"``/``"MLA"`` work too)."""
    key = code.strip().upper()
    for e in EXAMS.values():
        if key in (e.code, e.prefix):
            return e
    raise KeyError(f"unknown exam {code!r}; known: {', '.join(EXAMS)}")


def task_ids(exam: str | None = None) -> set[str]:
    """All task-statement ids, or those of one exam (``"MLS-C01"``, ``"MLA"``, ...)."""
    if exam is None:
        return set(_TASKS)
    chosen = get_exam(exam)
    return {t.id for d in chosen.domains for t in d.tasks}


def is_valid_task(tag: object) -> bool:
    """True when ``tag`` is a task-statement id exactly as written here, e.g. ``"MLS 1.2"``."""
    return isinstance(tag, str) and tag in _TASKS


def task(tag: str) -> Task:
    """The task statement ``tag`` (``"MLA 3.1"``): its title, topics, exam and domain number."""
    try:
        return _TASKS[tag]
    except (KeyError, TypeError):
        raise KeyError(
            f"unknown task statement {tag!r}; ids look like 'MLS 1.2' or 'MLA 3.1'"
        ) from None


def domain_of(tag: str) -> Domain:
    """The domain the task statement ``tag`` belongs to."""
    t = task(tag)
    return EXAMS[t.exam].domain(t.domain)
