import datasets
import vllm
from flask import request
from sentence_transformers import SentenceTransformer
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

EMBEDDER = "nomic-ai/nomic-embed-text-v1.5"


def load_for_request():
    name = request.json["model"]
    # ruleid: python-trust-remote-code-variable
    model = AutoModelForCausalLM.from_pretrained(name, trust_remote_code=True)
    # ruleid: python-trust-remote-code-variable
    tok = AutoTokenizer.from_pretrained(pretrained_model_name_or_path=name, trust_remote_code=True, use_fast=True)
    return model, tok


def load_from_settings(settings):
    # ruleid: python-trust-remote-code-variable
    embedder = SentenceTransformer(settings.embedding_model, device="cpu", trust_remote_code=True)
    # ruleid: python-trust-remote-code-variable
    pipe = pipeline("text-generation", model=f"{settings.org}/{settings.model}", trust_remote_code=True)
    # ruleid: python-trust-remote-code-variable
    ds = datasets.load_dataset(settings.dataset, split="train", trust_remote_code=True)
    # ruleid: python-trust-remote-code-variable
    llm = vllm.LLM(model=settings.model, trust_remote_code=True)
    return embedder, pipe, ds, llm


def load_fixed():
    # ok: python-trust-remote-code-variable
    model = AutoModelForCausalLM.from_pretrained("microsoft/phi-2", trust_remote_code=True, revision="834565c")
    # ok: python-trust-remote-code-variable
    embedder = SentenceTransformer("nomic-ai/nomic-embed-text-v1.5", trust_remote_code=True)
    # ok: python-trust-remote-code-variable
    other = AutoModelForCausalLM.from_pretrained(request.json["model"], revision="9f1c2d7e")
    # ok: python-trust-remote-code-variable
    off = AutoModelForCausalLM.from_pretrained(request.json["model"], trust_remote_code=False, revision="9f1c2d7e")
    return model, embedder, other, off


def load_constant():
    # ok: python-trust-remote-code-variable
    return SentenceTransformer(EMBEDDER, trust_remote_code=True)
