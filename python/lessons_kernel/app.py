"""The kernel's application: ipykernel's IPKernelApp, with its shutdown made orderly."""
from ipykernel.kernelapp import IPKernelApp

# How long the kernel waits for its control thread at shutdown; Jupyter terminates a kernel
# that has not ended 2.5 s after its shutdown_request (jupyter_client's shutdown_wait_time / 2).
CONTROL_JOIN_SECONDS = 2.0


class LessonsKernelApp(IPKernelApp):
    """IPKernelApp whose control thread ends before the process's exit handlers run.

    After answering a shutdown_request, ipykernel's control thread flushes stdout and stderr
    through the IOPub thread and waits until that thread has sent them. Meanwhile the main
    thread, its loop stopped, returns from `start` and the interpreter exits, and the first exit
    handler stops the IOPub thread. When that comes first, the flush waits for a thread that is
    gone and the kernel ends only when Jupyter terminates it, 2.5 s later: half of the notebook
    runs measured here ended so (docs/notebook-kernel.md), making shutdowns and restarts slow.
    Waiting for the control thread before leaving `start` lets its flush through."""

    def start(self):
        super().start()
        control = self.control_thread
        if control is not None and control.is_alive():
            control.stop()
            control.join(timeout=CONTROL_JOIN_SECONDS)
