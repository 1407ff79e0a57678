"""Local stand-ins for SageMaker's built-in algorithms, found by training image URI.

>>> from labs.algorithms import for_image
>>> for_image("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1").name
'xgboost'
>>> for_image("382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1").name
'linear-learner'

Each module holds one algorithm and its :class:`~labs.algorithms.base.AlgorithmSpec`
(``SPEC``); :data:`ALGORITHMS` maps the algorithm names to them. The image URIs are
those ``sagemaker.core.image_uris.retrieve(framework, region, version=...)`` returns:
``<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>``.
"""

from __future__ import annotations

from labs.algorithms import (
    blazingtext,
    deepar,
    factorization_machines,
    kmeans,
    knn,
    linear_learner,
    pca,
    random_cut_forest,
    xgboost,
)
from labs.algorithms.base import (
    AlgorithmError,
    AlgorithmSpec,
    Channel,
    Hyperparameter,
    Metric,
    TrainingContext,
)

__all__ = [
    "ALGORITHMS",
    "AlgorithmError",
    "AlgorithmSpec",
    "Channel",
    "Hyperparameter",
    "Metric",
    "TrainingContext",
    "for_image",
    "repository_of",
]

ALGORITHMS: dict[str, AlgorithmSpec] = {
    spec.name: spec
    for spec in (
        xgboost.SPEC,
        linear_learner.SPEC,
        kmeans.SPEC,
        pca.SPEC,
        random_cut_forest.SPEC,
        knn.SPEC,
        blazingtext.SPEC,
        deepar.SPEC,
        factorization_machines.SPEC,
    )
}

_BY_REPOSITORY = {repo: spec for spec in ALGORITHMS.values() for repo in spec.image_repositories}


def repository_of(image_uri: str) -> str:
    """The ECR repository name in an image URI: between the first ``/`` and the tag.

    ``683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1`` gives
    ``sagemaker-xgboost``; a digest (``@sha256:...``) or no tag works too.
    """
    uri = image_uri.strip()
    path = uri.split("/", 1)[1] if "/" in uri else uri
    path = path.split("@", 1)[0]
    return path.rsplit(":", 1)[0] if ":" in path else path


def for_image(image_uri: str) -> AlgorithmSpec | None:
    """The built-in algorithm whose image ``image_uri`` is, or None for any other image.

    Script mode uses the same XGBoost image with an entry point: the runtime tells the two
    apart (``sagemaker_program`` / a source-code channel) before asking here.
    """
    if not image_uri:
        return None
    return _BY_REPOSITORY.get(repository_of(image_uri))
