"""The AWS AI services the exams name: what each does, and whether it is open today.

A catalogue for choosing a managed AI service from a requirement (lab 05-7). Each entry
says what goes in and what comes out, the typical exam requirement it answers, and its
availability as the AWS documentation states it in November 2026, with what AWS points
new customers to where a service or feature is closed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

__all__ = ["SERVICES", "AiService", "catalogue", "find"]


@dataclass(frozen=True)
class AiService:
    """One managed AI service: its job, its status and where its facts come from."""

    name: str
    does: str
    takes: str
    gives: str
    typical_requirement: str
    status: str
    instead: str = ""
    doc_topic: str = ""


SERVICES: tuple[AiService, ...] = (
    AiService(
        "Amazon Comprehend",
        "analyses text (NLP)",
        "UTF-8 text",
        "sentiment, entities, key phrases, language, PII, custom classes",
        "sentiment or PII in reviews, tickets, e-mails",
        "open; topic modeling, event detection and prompt safety classification are closed "
        "to new customers",
        "Amazon Bedrock models (topics, events), Bedrock Guardrails (prompt safety)",
        "Amazon Comprehend feature availability change",
    ),
    AiService(
        "Amazon Rekognition",
        "analyses images and video",
        "JPEG/PNG images, stored or streaming video",
        "labels, faces, text in images, unsafe content, celebrities, custom labels",
        "moderate user-uploaded images, find objects or faces",
        "open; People Pathing ended on 31 October 2025",
        "",
        "Amazon Rekognition Developer Guide, People pathing",
    ),
    AiService(
        "Amazon Textract",
        "reads documents (OCR plus structure)",
        "scanned documents, PDFs, images",
        "lines and words, forms (key-value pairs), tables, queries, invoices, IDs",
        "extract fields and tables from invoices or forms",
        "open",
    ),
    AiService(
        "Amazon Transcribe",
        "turns speech into text",
        "audio files or streams",
        "transcripts with timestamps, speaker labels, PII redaction, custom vocabularies",
        "transcribe call-centre recordings",
        "open",
    ),
    AiService(
        "Amazon Polly",
        "turns text into speech",
        "text or SSML",
        "audio (MP3, OGG, PCM) in many voices, lexicons",
        "read answers aloud in a natural voice",
        "open",
        "",
        "Polly SynthesizeSpeech: at most 6,000 characters, 3,000 billed",
    ),
    AiService(
        "Amazon Translate",
        "translates text",
        "UTF-8 text or documents",
        "text in another language, custom terminology",
        "offer a catalogue or chat in several languages",
        "open",
        "",
        "Amazon Translate Guidelines and quotas: 10,000 bytes per TranslateText",
    ),
    AiService(
        "Amazon Lex",
        "builds conversational bots (voice and text)",
        "utterances (text or audio)",
        "intents, slots, dialog; fulfilment through Lambda",
        "a chatbot or IVR that books, orders, answers",
        "Lex V2 open; Lex V1 support ended on 15 September 2025",
        "Amazon Lex V2 (migrate V1 bots)",
        "Amazon Lex V1 end of support notice",
    ),
    AiService(
        "Amazon Personalize",
        "recommends items (managed recommender)",
        "interactions, users, items",
        "recommendations, personalized ranking, similar items",
        "recommend products from clickstream",
        "open",
    ),
    AiService(
        "Amazon Forecast",
        "forecasts time series (managed)",
        "target time series, related data",
        "probabilistic forecasts (P10/P50/P90)",
        "demand or capacity forecasts",
        "closed to new customers; existing customers continue",
        "Amazon SageMaker Canvas time-series forecasting, or SageMaker AI (DeepAR, AutoML)",
        "Amazon Forecast Developer Guide notice",
    ),
    AiService(
        "Amazon Fraud Detector",
        "scores events for fraud (managed)",
        "labelled event history",
        "fraud scores, rules, outcomes",
        "score sign-ups or payments for fraud",
        "closed to new customers since 7 November 2025",
        "Amazon SageMaker AI, AutoGluon, AWS WAF",
        "Amazon Fraud Detector availability change",
    ),
    AiService(
        "Amazon SageMaker AI",
        "trains and hosts your own models",
        "your data and algorithm",
        "any model: built-in algorithms, frameworks, JumpStart, Canvas",
        "a custom model no managed service offers, or full control",
        "open",
    ),
    AiService(
        "Amazon Bedrock",
        "serves foundation models through one API",
        "prompts, documents (knowledge bases)",
        "generated text, images, embeddings; agents and guardrails",
        "summarise, answer questions over documents, generate text",
        "open",
    ),
)


def find(name: str) -> AiService | None:
    """The service named ``name`` (``"Transcribe"``, ``"amazon transcribe"``), or ``None``."""
    wanted = " ".join(str(name).lower().replace("aws ", "").split())
    for service in SERVICES:
        full = service.name.lower()
        short = full.removeprefix("amazon ")
        if wanted in (full, short) or (short.startswith("sagemaker") and wanted == "sagemaker"):
            return service
    return None


def catalogue() -> pd.DataFrame:
    """Every service as one row: name, does, takes, gives, typical requirement, status."""
    return pd.DataFrame([asdict(s) for s in SERVICES]).set_index("name")
