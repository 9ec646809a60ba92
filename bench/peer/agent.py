"""The benchmark's peer: a minimal LiveKit Agents for Python (1.8.9) telephony
agent, written the way LiveKit's docs show ("Answer incoming calls", "Call
forwarding using SIP REFER"), joining the same livekit-server and livekit-sip
as our worker and talking to the same cloud stand-ins.

    .tools/bench-python/bin/python bench/peer/agent.py start

Framework defaults are kept everywhere (endpointing, interruptions, preemptive
generation, job process pool, load threshold, TTS encoding, voice), except what
cannot run on a machine without internet:

- Turn detection is the framework's own default, ``inference.TurnDetector()``,
  which on a self-hosted worker in ``start`` mode resolves to the local
  ``turn-detector-v1-mini`` model shipped inside ``livekit-local-inference``
  (no download). The docs' ``MultilingualModel`` (livekit-plugins-turn-detector)
  needs model files from a hub and is not installed.
- No LiveKit Cloud noise cancellation (``noise_cancellation.BVCTelephony``).
- No LiveKit Inference gateway: STT, LLM and TTS are the Deepgram, OpenAI and
  ElevenLabs plugins pointed at the stand-ins' base URLs.
- Silero VAD loads in the prewarm hook from the model inside the plugin's wheel.

Environment:
  LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET   livekit-server (ws://...)
  PEER_AGENT_NAME       explicit-dispatch agent name (default genesys-voice-agent)
  PEER_HTTP_PORT        worker health server port on 127.0.0.1 (default 8081)
  PEER_LOAD_THRESHOLD   worker load at which it stops taking jobs (default: the
                        framework's, 0.7 in production mode; "inf" disables it,
                        and the worker then reports its load as active jobs /
                        1000, like our worker with AGENT_MAX_CALLS=1000 and no
                        CPU guard: livekit-server never assigns a job to a
                        worker reporting a load of 1 or more, which the
                        framework's CPU-based load reaches on a busy machine)
  PEER_TRANSFER_TO      Refer-To URI of the human queue
                        (default sip:+18005550150@127.0.0.1:5070)
  DEEPGRAM_BASE_URL     Deepgram origin (http://host:port), a /v1 base, or the
                        full /v1/listen endpoint; DEEPGRAM_API_KEY
  OPENAI_BASE_URL       OpenAI API base, ending in /v1; OPENAI_API_KEY,
                        OPENAI_MODEL (default gpt-4o-mini)
  ELEVENLABS_BASE_URL   ElevenLabs API base, ending in /v1; ELEVENLABS_API_KEY
"""

from __future__ import annotations

import logging
import math
import os
import sys
from urllib.parse import urlsplit, urlunsplit

from livekit import api, rtc
from livekit.agents import (
    Agent,
    AgentServer,
    AgentSession,
    JobContext,
    JobProcess,
    RunContext,
    ToolError,
    cli,
    function_tool,
    get_job_context,
)
from livekit.plugins import deepgram, elevenlabs, openai, silero

logger = logging.getLogger("peer-agent")


INSTRUCTIONS = """You are the voice assistant of a customer contact center, answering phone calls.
Greet the caller, find out what they need and answer briefly and politely.
Keep replies to one or two short sentences: this is a phone call.
Do not use emojis, asterisks, markdown or other special characters.
When the caller asks for a person, a human or an agent, or you cannot help,
call transfer_to_human."""


def _env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        sys.exit(f"peer agent: {name} is required")
    return value


def _deepgram_listen_url(base: str) -> str:
    """The plugin takes the full streaming endpoint (it swaps http for ws itself)."""
    parts = urlsplit(base)
    path = parts.path.rstrip("/")
    if not path.endswith("/listen"):
        path = f"{path}/listen" if path.endswith("/v1") else f"{path}/v1/listen"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _load_threshold() -> float | None:
    raw = os.environ.get("PEER_LOAD_THRESHOLD", "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if math.isnan(value) or value <= 0:
        sys.exit(f"peer agent: PEER_LOAD_THRESHOLD must be a positive number or inf, got {raw}")
    return value


# Read once at import, in the worker before it registers: a missing setting
# stops the worker at start rather than failing each call.
AGENT_NAME = os.environ.get("PEER_AGENT_NAME") or "genesys-voice-agent"
TRANSFER_TO = os.environ.get("PEER_TRANSFER_TO") or "sip:+18005550150@127.0.0.1:5070"
DEEPGRAM_URL = _deepgram_listen_url(_env("DEEPGRAM_BASE_URL"))
DEEPGRAM_KEY = _env("DEEPGRAM_API_KEY")
OPENAI_URL = _env("OPENAI_BASE_URL")
OPENAI_KEY = _env("OPENAI_API_KEY")
OPENAI_MODEL = os.environ.get("OPENAI_MODEL") or "gpt-4o-mini"
ELEVENLABS_URL = _env("ELEVENLABS_BASE_URL").rstrip("/")
ELEVENLABS_KEY = _env("ELEVENLABS_API_KEY")


class ContactCenterAgent(Agent):
    def __init__(self) -> None:
        super().__init__(instructions=INSTRUCTIONS)

    @function_tool()
    async def transfer_to_human(self, ctx: RunContext) -> None:
        """Transfer the call to a human agent, when the caller asks for a person."""
        # let the message play fully before transferring
        await ctx.session.generate_reply(
            instructions="Tell the caller you are transferring them to a colleague."
        )
        job_ctx = get_job_context()
        caller = next(
            (
                p
                for p in job_ctx.room.remote_participants.values()
                if p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_SIP
            ),
            None,
        )
        if caller is None:
            raise ToolError("the caller is no longer on the line")
        try:
            await job_ctx.api.sip.transfer_sip_participant(
                api.TransferSIPParticipantRequest(
                    room_name=job_ctx.room.name,
                    participant_identity=caller.identity,
                    transfer_to=TRANSFER_TO,
                )
            )
            logger.info("transferred caller", extra={"transfer_to": TRANSFER_TO})
        except Exception as e:
            logger.error("transfer failed", extra={"error": str(e)})
            raise ToolError("could not transfer the call") from e


def prewarm(proc: JobProcess) -> None:
    proc.userdata["vad"] = silero.VAD.load()


def _load_in_jobs(worker: AgentServer) -> float:
    return len(worker.active_jobs) / 1000


threshold = _load_threshold()
unlimited = threshold is not None and math.isinf(threshold)
server = AgentServer(
    host="127.0.0.1",
    port=int(os.environ.get("PEER_HTTP_PORT", "8081")),
    **({"load_threshold": threshold} if threshold is not None else {}),
    **({"load_fnc": _load_in_jobs} if unlimited else {}),
)
server.setup_fnc = prewarm


@server.rtc_session(agent_name=AGENT_NAME)
async def entrypoint(ctx: JobContext) -> None:
    ctx.log_context_fields = {"room": ctx.room.name}

    @ctx.room.on("participant_disconnected")
    def _on_participant_disconnected(participant: rtc.RemoteParticipant) -> None:
        # The call is over once the caller's SIP leg leaves (hang-up or transfer).
        if participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_SIP:
            logger.info("caller left, ending the job")
            ctx.shutdown(reason="caller left")

    session = AgentSession(
        stt=deepgram.STT(model="nova-3", base_url=DEEPGRAM_URL, api_key=DEEPGRAM_KEY),
        llm=openai.LLM(model=OPENAI_MODEL, base_url=OPENAI_URL, api_key=OPENAI_KEY),
        tts=elevenlabs.TTS(base_url=ELEVENLABS_URL, api_key=ELEVENLABS_KEY),
        vad=ctx.proc.userdata["vad"],
    )
    await session.start(agent=ContactCenterAgent(), room=ctx.room)
    await session.generate_reply(instructions="Greet the caller and offer your assistance.")


if __name__ == "__main__":
    cli.run_app(server)
