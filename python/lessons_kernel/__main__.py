"""``python -m lessons_kernel -f CONNECTION_FILE``: what the kernelspec starts."""
from .app import LessonsKernelApp
from .kernel import LessonsKernel

if __name__ == "__main__":
    LessonsKernelApp.launch_instance(kernel_class=LessonsKernel)
