"""The kernel client every notebook run uses (nntrain.kernel): its shell channel finds a
reply whose wake-up was missed.

The scenario is the one behind jupyter/nbclient#312, seen here in 01_sgd's widget cell: a
task waits on the shell socket for a cell's reply; the reply arrives while libzmq's wake-up
signal is taken by another operation on the socket (nbclient sending an Output widget's state
on it), so the asyncio poller never hears of it.  Here libzmq is made to take the signal
directly, deterministically.  jupyter_client's own channel then waits out its whole timeout
(checked, so the scenario is the real one); the course's channel answers within its slice."""
import asyncio
import time

import zmq
import zmq.asyncio
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.session import Session

from nntrain import kernel

WAIT = 1.5   # seconds the channel is asked to wait for the reply


async def _reply_after_a_missed_wakeup(channel_class) -> tuple:
    """(message type, seconds to get it) for a reply whose wake-up libzmq took."""
    context = zmq.asyncio.Context()
    kernel_side = zmq.Context.instance().socket(zmq.PAIR)
    port = kernel_side.bind_to_random_port("tcp://127.0.0.1")
    client_side = context.socket(zmq.PAIR)
    client_side.connect(f"tcp://127.0.0.1:{port}")
    session = Session(key=b"secret")
    channel = channel_class(client_side, session)
    try:
        session.send(kernel_side, "kernel_info_reply", {})      # the connection is up
        await channel.get_msg(timeout=5)
        t0 = time.monotonic()
        waiting = asyncio.ensure_future(channel.get_msg(timeout=WAIT))
        await asyncio.sleep(0.05)                               # the channel waits on the socket
        session.send(kernel_side, "execute_reply", {"status": "ok"})
        time.sleep(0.1)                                         # the reply arrives, the loop is busy
        zmq.Socket.shadow(client_side.underlying).get(zmq.EVENTS)   # libzmq takes the wake-up
        msg = await waiting
        return msg["msg_type"], time.monotonic() - t0
    finally:
        client_side.close(0)
        kernel_side.close(0)
        context.term()


def test_jupyter_clients_channel_misses_the_reply_in_this_scenario():
    msg_type, seconds = asyncio.run(_reply_after_a_missed_wakeup(AsyncZMQSocketChannel))
    assert msg_type == "execute_reply"
    assert seconds >= WAIT - 0.05, (
        f"jupyter_client's channel got the reply after {seconds:.2f} s: the scenario no longer "
        "reproduces a missed wake-up (a newer pyzmq?), so the next test proves nothing")


def test_the_course_channel_finds_the_reply_within_its_slice():
    msg_type, seconds = asyncio.run(_reply_after_a_missed_wakeup(kernel.ShellChannel))
    assert msg_type == "execute_reply"
    assert seconds < 0.15 + 3 * kernel.ShellChannel.SLICE, (
        f"the reply came after {seconds:.2f} s, expected within a slice "
        f"({kernel.ShellChannel.SLICE} s) of its arrival: the channel waited for a wake-up")


def test_the_course_channel_keeps_the_timeout():
    async def empty_wait(timeout):
        context = zmq.asyncio.Context()
        socket = context.socket(zmq.PAIR)
        socket.bind("inproc://nothing-comes")
        channel = kernel.ShellChannel(socket, Session(key=b"secret"))
        t0 = time.monotonic()
        try:
            await channel.get_msg(timeout=timeout)
        except Exception as exc:
            return type(exc).__name__, time.monotonic() - t0
        finally:
            socket.close(0)
            context.term()
        return "a message", time.monotonic() - t0

    for timeout in (0, 0.25):
        outcome, seconds = asyncio.run(empty_wait(timeout))
        assert outcome == "Empty", f"timeout={timeout}: got {outcome}, expected queue.Empty"
        assert timeout - 0.01 <= seconds < timeout + 0.2, f"timeout={timeout}: waited {seconds:.2f} s"


def test_every_notebook_run_uses_the_course_client():
    import inspect

    from nntrain.course import book
    from nntrain.grading import execute

    assert kernel.KernelClient().shell_channel_class is kernel.ShellChannel
    assert "kernel.CLIENT_CLASS" in inspect.getsource(book.run_cells)
    assert "kernel.CLIENT_CLASS" in inspect.getsource(execute._one_kernel)


def test_nbgraders_own_runs_use_the_course_client():
    """Validate and autograde run notebooks with nbgrader's Execute preprocessor: the course's
    nbgrader_config.py gives its kernel manager the course's client."""
    import nbformat
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    from nntrain.course.layout import CONFIG
    from tests.course import ROOT

    config = PyFileConfigLoader(CONFIG, path=str(ROOT)).load_config()
    execute = Execute(config=config)
    execute.nb = nbformat.v4.new_notebook()
    km = execute.create_kernel_manager()
    assert km.client_class == kernel.CLIENT_CLASS
    assert isinstance(km.client(), kernel.KernelClient)
