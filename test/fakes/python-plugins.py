"""Drives the LiveKit Agents for Python plugins (livekit-plugins-deepgram,
-openai, -elevenlabs 1.8.9) against the FAKE providers, as the benchmark's
Python peer uses them (framework defaults: 16 kHz STT input, MP3 TTS), and
prints one JSON line with what came back. Run by test/fakes/plugins.test.ts
with the benchmark's Python environment:

    .tools/bench-python/bin/python test/fakes/python-plugins.py \
        DEEPGRAM_LISTEN_URL OPENAI_BASE_URL ELEVENLABS_BASE_URL CALLER_8KHZ.raw
"""

from __future__ import annotations

import asyncio
import json
import sys

import aiohttp
from livekit import rtc
from livekit.agents import RunContext, function_tool
from livekit.agents import stt as stt_events
from livekit.agents.llm import ChatContext
from livekit.plugins import deepgram, elevenlabs, openai

FRAME = 160  # 20 ms at 8 kHz


async def transcripts(http: aiohttp.ClientSession, url: str, audio: bytes) -> dict:
    stt = deepgram.STT(api_key="fake-deepgram-key", base_url=url, http_session=http)
    stream = stt.stream()
    finals: list[str] = []
    interims = 0

    async def feed() -> None:
        # Four times real time: the fake segments by audio time, not wall time.
        for i in range(0, len(audio) - 2 * FRAME, 2 * FRAME):
            stream.push_frame(rtc.AudioFrame(audio[i : i + 2 * FRAME], 8000, 1, FRAME))
            await asyncio.sleep(0.005)
        stream.end_input()

    async def read() -> None:
        nonlocal interims
        async for ev in stream:
            if ev.type == stt_events.SpeechEventType.FINAL_TRANSCRIPT:
                finals.append(ev.alternatives[0].text)
            elif ev.type == stt_events.SpeechEventType.INTERIM_TRANSCRIPT:
                interims += 1

    await asyncio.wait_for(asyncio.gather(feed(), read()), 60)
    await stream.aclose()
    return {"finals": finals, "interims": interims}


async def replies(url: str) -> list[dict]:
    llm = openai.LLM(api_key="fake-openai-key", base_url=url, model="fake-gpt-4.1-mini")

    @function_tool
    async def transfer_to_queue(ctx: RunContext, queue: str, summary: str) -> str:
        """Transfer the caller to a human queue."""
        return "ok"

    out = []
    for said in ["I have a question about my account.", "Can I talk to a person?"]:
        chat = ChatContext.empty()
        chat.add_message(role="system", content="You route callers.")
        chat.add_message(role="user", content=said)
        text, calls = "", []
        async with llm.chat(chat_ctx=chat, tools=[transfer_to_queue]) as stream:
            async for chunk in stream:
                if chunk.delta and chunk.delta.content:
                    text += chunk.delta.content
                if chunk.delta and chunk.delta.tool_calls:
                    calls += [
                        {"name": c.name, "arguments": json.loads(c.arguments)}
                        for c in chunk.delta.tool_calls
                    ]
        out.append({"said": said, "text": text, "calls": calls})
    await llm.aclose()
    return out


async def speech(http: aiohttp.ClientSession, url: str) -> dict:
    tts = elevenlabs.TTS(api_key="fake-elevenlabs-key", base_url=url, http_session=http)
    stream = tts.stream()
    stream.push_text("Sure. I can help with that. Could you tell me a little more?")
    stream.end_input()
    streamed = 0
    async for ev in stream:
        streamed += ev.frame.samples_per_channel
    await stream.aclose()
    chunked = 0
    async for ev in tts.synthesize("Hello there."):
        chunked += ev.frame.samples_per_channel
    await tts.aclose()
    return {
        "sampleRate": tts.sample_rate,
        "streamedSeconds": streamed / tts.sample_rate,
        "chunkedSeconds": chunked / tts.sample_rate,
    }


async def main() -> None:
    deepgram_url, openai_url, elevenlabs_url, audio_file = sys.argv[1:5]
    with open(audio_file, "rb") as f:
        audio = f.read()
    async with aiohttp.ClientSession() as http:
        result = {
            "stt": await transcripts(http, deepgram_url, audio),
            "llm": await replies(openai_url),
            "tts": await speech(http, elevenlabs_url),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
