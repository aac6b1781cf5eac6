"""Every prompt the builder sends, versioned: seed-tree expansion, user simulation per sector, personas.

The paper published only the Sector 1 user prompt (thunlp/UltraChat#22); the others are ours and are
marked so. `PROMPTS_VERSION` goes into each record, so a changed prompt is visible in the data.
"""
from __future__ import annotations

PROMPTS_VERSION = "ultrachat-prompts/1"

# -- seed tree (ours: the paper's "hand-crafted prompts" were never published) -------------------
SUBTOPICS = ("List {n} diverse subtopics or related concepts of the topic \"{concept}\". "
             "Write one per line, a few words each, with no numbering and no explanations.")
QUESTIONS = ("Write {n} diverse questions a curious person might ask about \"{subtopic}\" "
             "(in the area of {concept}). Write one question per line, with no numbering.")
EXPANDED = ("Here is a question: \"{question}\"\nBased on it, write {n} new and diverse questions about "
            "common concepts and objects related to it. Write one question per line, with no numbering.")
ENTITY_META = ("Write {n} different questions about {entity}. Write one question per line, with no numbering.")
ENTITY_SPECIFIC = ("Here is a question about {entity}: \"{question}\"\nWrite {n} more specific questions about "
                   "{entity} that go deeper. Write one question per line, with no numbering.")
ENTITY_EXTENDED = ("Here is a question about {entity}: \"{question}\"\nWrite {n} related but more general "
                   "questions that keep the same kind of request but move to other objects or topics. "
                   "Write one question per line, with no numbering.")
WRITING_INSTRUCTIONS = ("Write {n} different requests a user could give an AI assistant to write "
                        "{material_type}. Each request must ask for one concrete piece of writing. "
                        "Write one request per line, with no numbering.")
REWRITE_DETAILED = ("Rewrite the following request into a more detailed one that adds specific requirements "
                    "(audience, length, tone, content to include). Output only the rewritten request.\n\n"
                    "Request: {instruction}")
MATERIAL_INSTRUCTIONS = ("Here is a text:\n\"\"\"\n{text}\n\"\"\"\nWrite {n} distinct instructions a user could "
                         "give an AI assistant about this text, for example rewriting it, translating it, "
                         "summarising it, asking a question about it, continuing it, or drawing an inference "
                         "from it. Do not repeat the text. Write one instruction per line, with no numbering.")

# -- user simulation (appended after the rendered dialogue, #22) ---------------------------------
USER_SIM = {
    # verbatim from thunlp/UltraChat#22 (2023-07-06)
    1: ("Above is a conversation between a user and an intelligent assistant. Now suppose you are the user, "
        "say something to continue the conversation based on given context. Make the response short and "
        "the language casual."),
    # ours, following #22's description: keep restating that the goal is to produce and refine material
    2: ("Above is a conversation between a user and an intelligent assistant. Now suppose you are the user, "
        "say something to continue the conversation based on given context. Remember that your main request "
        "is for the assistant to generate written material: respond to what it wrote, for example ask it to "
        "make it more detailed, change the style or add related information. Make the response short."),
    # ours: the Sector 3 prompt of #22 is not in the available excerpt
    3: ("Above is a conversation between a user and an intelligent assistant about a given text. Now suppose "
        "you are the user, say something to continue the conversation based on given context: ask a "
        "follow-up question about the text or request another operation on it (rewrite, summarise, "
        "translate, continue, explain). Make the response short."),
}
PERSONA_LINE = "Speak as this user: {persona}."

# ours (#33 asks for the paper's list, never published): varied styles, "very professional or casual"
PERSONAS = {
    "p00": "a curious high-school student who writes casually",
    "p01": "a busy professional who wants concise, practical answers",
    "p02": "a skeptical expert who challenges vague claims",
    "p03": "a retiree exploring a new hobby",
    "p04": "a non-native English speaker who writes short, simple sentences",
    "p05": "a teacher preparing a lesson for a class",
    "p06": "a journalist checking facts and asking for sources",
    "p07": "a parent looking for everyday advice",
    "p08": "a software engineer who likes precise details",
    "p09": "an artist looking for inspiration",
}

COHERENCE_JUDGE = ("Rate the coherence of the following conversation between a user and an assistant on a "
                   "scale from 1 (incoherent) to 10 (perfectly coherent): do the turns follow from each "
                   "other and stay on topic? Answer with a single integer.\n\n{dialogue}\n\nRating:")


def render_history(messages: list[dict[str, str]]) -> str:
    """The dialogue as text for the user simulator: `User: ...` / `Assistant: ...` blocks."""
    names = {"user": "User", "assistant": "Assistant"}
    return "\n\n".join(f"{names.get(m['role'], m['role'])}: {m['content']}" for m in messages)
