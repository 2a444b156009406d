"""The kernel client of every notebook run here: the book's and the edition's executions of
the solution notebooks (:mod:`nntrain.course.book`), the grader's runs of submissions
(:mod:`nntrain.grading.execute`), and nbgrader's own (the Validate button, ``nbgrader
autograde``), which the course's ``nbgrader_config.py`` and the student edition's name
(``c.KernelManager.client_class = "nntrain.kernel.KernelClient"``).  Not course material:
it is in the student edition only for its Validate button.

It is jupyter_client's asyncio client with these changes:

- **A shell channel that cannot miss a reply** (:class:`ShellChannel`).  nbclient waits for a
  cell's ``execute_reply`` on the shell socket while, in another task, it answers an Output
  widget's state change (ipywidgets' ``interactive`` has one) by *sending* on that same
  socket.  pyzmq's asyncio poller can then miss the reply's wake-up: the kernel is idle, the
  reply sits in the socket, and the cell waits out its whole time limit
  (jupyter/nbclient#312).  Here it hit 01_sgd's explorer cell: with 4 notebooks at a time on
  2 busy cores, the reply's wake-up was missed in 40 runs of 100, and the book and the CI
  suite stalled for minutes (the grader skips an unchanged lesson cell, but runs a widget
  cell a student edited, which could have waited out its time limit).  The channel
  looks at the socket at least every :attr:`ShellChannel.SLICE` seconds while it waits, so
  a missed wake-up costs at most that.
- **Two shorter waits in a kernel's start**, which cost a grading slot a third of a second:
  the 100 ms between attempts to reach a kernel that has not bound its ports yet (10 ms
  here), and the 200 ms of silence it waits for on IOPub after the kernel's first reply
  (10 ms here: nbclient takes only the messages of the cell it runs, so a late start-up
  message cannot land in a cell).
- **No second lost to a dead kernel.**  A kernel that dies while it starts is seen
  within ``SLICE`` seconds (jupyter_client waits a whole second for its ``kernel_info``
  reply before it looks).  And once a kernel is dead, its heartbeat fails; jupyter_client
  then replaces the heartbeat socket, and the old one, which holds an unanswered ping,
  lingers for a second when the channels are stopped (:class:`HeartbeatChannel`: no
  linger).  Both cost every kernel that died or could not start a second each.

Use it through a kernel manager: ``AsyncKernelManager(..., client_class=CLIENT_CLASS)``.
"""
from __future__ import annotations

import math
import time
from queue import Empty

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel, HBChannel
from traitlets import Type

CLIENT_CLASS = f"{__name__}.KernelClient"


class ShellChannel(AsyncZMQSocketChannel):
    """jupyter_client's asyncio channel, whose :meth:`get_msg` looks at the socket at least
    every ``SLICE`` seconds instead of trusting one wake-up for the whole wait."""

    SLICE = 0.1   # seconds

    async def get_msg(self, timeout: float | None = None) -> dict:
        """The next message, within ``timeout`` seconds (``None``: no limit); else ``Empty``."""
        deadline = math.inf if timeout is None else time.monotonic() + timeout
        while True:
            wait = min(self.SLICE, max(0.0, deadline - time.monotonic()))
            # pyzmq's poll looks at the socket once more when its wait ends: a reply whose
            # wake-up was missed is found there
            if await self.socket.poll(math.ceil(wait * 1000)):
                return await self._recv()
            if time.monotonic() >= deadline:
                raise Empty


class HeartbeatChannel(HBChannel):
    """jupyter_client's heartbeat channel, whose sockets do not linger when closed: a ping
    that a dead kernel never answered would otherwise hold up stopping the channels for a
    second."""

    def _create_socket(self) -> None:
        super()._create_socket()
        self.socket.linger = 0


class KernelClient(AsyncKernelClient):
    """jupyter_client's asyncio kernel client with the :class:`ShellChannel`, the
    :class:`HeartbeatChannel` and a quicker start (see the module's docstring)."""

    shell_channel_class = Type(ShellChannel)
    hb_channel_class = Type(HeartbeatChannel)

    def _context_default(self):
        self._created_context = True
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.RECONNECT_IVL, 10)
        return context

    async def wait_for_ready(self, timeout=None):
        """Until the kernel answers ``kernel_info`` on the shell channel and IOPub is
        connected (as jupyter_client's), then drain what IOPub holds.  A kernel that dies
        first raises ``RuntimeError`` within ``ShellChannel.SLICE`` seconds."""
        deadline = time.monotonic() + (timeout if timeout is not None else math.inf)
        while True:
            self.kernel_info()
            if await self._reply_and_iopub():
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0.01)
            except Empty:
                return

    async def _reply_and_iopub(self) -> bool:
        """Did a kernel_info reply come within a second, and then a message on IOPub (so it
        is connected)?  Raises ``RuntimeError`` as soon as the kernel is seen dead."""
        asked = time.monotonic()
        while True:
            try:
                msg = await self.shell_channel.get_msg(timeout=ShellChannel.SLICE)
                break
            except Empty:
                if not await self.is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info") from None
                if time.monotonic() - asked >= 1:
                    return False
        if msg["msg_type"] != "kernel_info_reply":
            return False
        try:
            await self.iopub_channel.get_msg(timeout=0.2)
        except Empty:
            return False
        self._handle_kernel_info_reply(msg)
        return True
