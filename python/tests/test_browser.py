"""The exports in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`)
driven by selenium.

* The HTML export: every formula rendered by KaTeX from Debian's libjs-katex (a `.katex`
  element in each `.math`, no `.katex-error`), no `$`, command or braced script left in the text, the tables present,
  and the table's quantity column in a proportional font (combining accents such as β̃ sit on
  their letter there). Without KaTeX the page still reads, with its math as Unicode text.
* JupyterLab with the `lessons` kernel: the exported forward notebook opened, a check cell's
  `t: [1, 10, 100, 1000]` edited to `t: [3]`, Shift-Enter, and the new table read from the page.

With LESSONS_SCREENSHOTS=DIR the tests save their screenshots there (`scripts/screenshots`
refreshes docs/screenshots/ this way). The tests skip, saying why, when Chromium, its driver,
selenium or JupyterLab is missing (scripts/setup installs them)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from _kernel_support import KERNEL_NAME, TestKernelSpec
from _support import LESSONS

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # pragma: no cover - the venv has it (scripts/setup)
    webdriver = None

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
# The jupyter beside this Python (the venv's), else one on PATH.
JUPYTER = shutil.which("jupyter", path=os.path.dirname(sys.executable)) or shutil.which("jupyter")
SCREENSHOTS = os.environ.get("LESSONS_SCREENSHOTS")

# Text nodes outside code, KaTeX and figures that still hold TeX: a dollar sign, a command,
# a braced script (`x_{0:T}` in a check's title shows as x<sub>0:T</sub>).
RAW_TEX = r"""
const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
const found = [];
for (let node; (node = walker.nextNode());) {
  if (node.parentElement.closest('code, pre, .katex, svg')) continue;
  if (/\$|\\[a-zA-Z]+|_\{|\^\{/.test(node.textContent)) found.push(node.textContent.slice(0, 120));
}
return found;
"""


def browser(width=1200, height=900):
    """Headless Chromium as fits root in a container, with no network: every request goes to
    a proxy on a closed port, except loopback (JupyterLab), which Chromium never proxies."""
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}", "--proxy-server=127.0.0.1:9"):
        options.add_argument(argument)
    options.binary_location = CHROMIUM
    return webdriver.Chrome(service=Service(DRIVER), options=options)


# What these tests read is the pages' rendering and one cell, not the checks' numbers, so the
# exports draw 2000 samples per Monte-Carlo check (a second each instead of several); the
# screenshots (LESSONS_SCREENSHOTS) show the lessons as shipped, at their own sample sizes.
SAMPLES = [] if SCREENSHOTS else ["--samples", "2000"]


def export(lesson, folder, environment=None):
    done = subprocess.run([LESSONS, "export", lesson, "--format", "html", "--out", folder, *SAMPLES], capture_output=True, text=True,
                          timeout=600, env={**os.environ, **(environment or {})})
    if done.returncode != 0:
        raise AssertionError(f"lessons export {lesson} --format html: exit {done.returncode}: {done.stderr[-2000:]}")
    return os.path.join(folder, lesson + ".html"), done.stderr


def save(driver, name, element=None):
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        path = os.path.join(SCREENSHOTS, name)
        (element.screenshot(path) if element is not None else driver.save_screenshot(path))


@unittest.skipIf(webdriver is None, "selenium is not installed (scripts/setup installs it in .venv)")
@unittest.skipUnless(CHROMIUM and DRIVER, "no chromium or chromedriver (Debian's chromium and chromium-driver; scripts/setup installs them)")
@unittest.skipUnless(os.path.isfile(LESSONS), f"no lessons binary at {LESSONS}")
class HTMLExportInBrowserTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.TemporaryDirectory()
        cls.pages = {name: export(name, cls.folder.name)[0] for name in ("posterior", "elbo")}
        cls.driver = browser()

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.folder.cleanup()

    def load(self, page):
        self.driver.get("file://" + page)
        WebDriverWait(self.driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def test_katex_renders_every_formula_offline(self):
        self.assertTrue(os.path.isfile(os.path.join(self.folder.name, "katex", "katex.min.js")))
        for name, page in self.pages.items():
            with self.subTest(lesson=name):
                self.load(page)
                formulas = self.driver.execute_script("return document.querySelectorAll('.math[data-tex]').length")
                rendered = self.driver.execute_script("return document.querySelectorAll('.math[data-tex] > .katex, .math[data-tex] > .katex-display').length")
                errors = self.driver.execute_script("return Array.from(document.querySelectorAll('.katex-error')).map(e => e.title)")
                self.assertGreater(formulas, 50)
                self.assertEqual(rendered, formulas)
                self.assertEqual(errors, [])
                self.assertEqual(self.driver.execute_script(RAW_TEX), [])
                self.assertGreater(self.driver.execute_script("return document.querySelectorAll('table tbody tr').length"), 10)

    def test_accents_sit_on_their_letter_in_tables(self):
        """β̃ and μ̃ in the quantity column: a proportional font (DejaVu Sans) places the
        combining tilde over its letter, where the monospace one put it on the next character."""
        self.load(self.pages["posterior"])
        cell = self.driver.find_element(By.XPATH, "//td[contains(., 'β̃ vs')]")
        self.assertNotIn("Mono", self.driver.execute_script("return getComputedStyle(arguments[0]).fontFamily", cell))
        section = self.driver.find_element(By.ID, "cell-4")
        self.driver.execute_script("arguments[0].scrollIntoView(); window.scrollBy(0, -420)", section)
        save(self.driver, "html-export.png")

    def test_without_katex_the_math_reads_as_unicode(self):
        with tempfile.TemporaryDirectory() as folder:
            page, stderr = export("posterior", folder, {"LESSONS_KATEX_DIR": os.path.join(folder, "missing")})
            self.assertIn("KaTeX not found", stderr)
            self.assertFalse(os.path.exists(os.path.join(folder, "katex")))
            self.load(page)
            self.assertEqual(self.driver.execute_script("return document.querySelectorAll('.katex').length"), 0)
            texts = self.driver.execute_script("return Array.from(document.querySelectorAll('.math')).map(e => e.textContent)")
            self.assertIn("β̃ₜ", texts)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@unittest.skipIf(webdriver is None, "selenium is not installed (scripts/setup installs it in .venv)")
@unittest.skipUnless(CHROMIUM and DRIVER, "no chromium or chromedriver (Debian's chromium and chromium-driver; scripts/setup installs them)")
@unittest.skipUnless(os.path.isfile(LESSONS), f"no lessons binary at {LESSONS}")
@unittest.skipUnless(JUPYTER and subprocess.run([JUPYTER, "lab", "--version"], capture_output=True).returncode == 0,
                     "no JupyterLab (scripts/setup installs it in .venv)")
class JupyterLabTests(unittest.TestCase):
    def test_an_edited_cell_gives_a_new_table(self):
        spec = TestKernelSpec()
        self.addCleanup(spec.close)
        root = tempfile.TemporaryDirectory()
        self.addCleanup(root.cleanup)
        folder = os.path.join(root.name, "notebooks")
        os.makedirs(folder)
        notebook = os.path.join(folder, "forward.ipynb")
        done = subprocess.run([LESSONS, "export", "forward", "--format", "ipynb", "--out", notebook, *SAMPLES], capture_output=True, text=True, timeout=600)
        self.assertEqual(done.returncode, 0, done.stderr)
        with open(notebook, encoding="utf-8") as file:
            content = json.load(file)
        content["metadata"]["kernelspec"] = {"name": KERNEL_NAME, "display_name": "lessons (test)", "language": "lessons"}
        with open(notebook, "w", encoding="utf-8") as file:
            json.dump(content, file)
        # JupyterLab's settings for the test: every cell in the page (no windowing, so the
        # cell is found by its text), and no news or update prompts over the page.
        settings = os.path.join(root.name, "settings")
        for plugin, values in {"notebook-extension/tracker": {"windowingMode": "none"},
                               "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False}}.items():
            os.makedirs(os.path.join(settings, "@jupyterlab", os.path.dirname(plugin)), exist_ok=True)
            with open(os.path.join(settings, "@jupyterlab", plugin + ".jupyterlab-settings"), "w", encoding="utf-8") as file:
                json.dump(values, file)
        port, token = free_port(), "lessons-test"
        server = subprocess.Popen([JUPYTER, "lab", "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.ip=127.0.0.1",
                                   f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env={**os.environ, "JUPYTERLAB_SETTINGS_DIR": settings})
        self.addCleanup(server.wait, 30)
        self.addCleanup(server.terminate)
        started = time.monotonic()
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                break
            except OSError:
                self.assertLess(time.monotonic() - started, 60, "JupyterLab did not start within 60 s")
                time.sleep(0.5)
        driver = browser(1300, 1000)
        self.addCleanup(driver.quit)
        driver.get(f"http://127.0.0.1:{port}/lab/tree/forward.ipynb?token={token}")
        wait = WebDriverWait(driver, 90)
        code_cells = sum(1 for cell in content["cells"] if cell["cell_type"] == "code")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-CodeCell")) == code_cells)
        cell = next(c for c in driver.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-CodeCell")
                    if "check forward.closed-form" in c.find_element(By.CSS_SELECTOR, ".cm-content").text)
        editor = cell.find_element(By.CSS_SELECTOR, ".cm-content")
        self.assertIn("t: [1, 10, 100, 1000]", editor.text)
        old = cell.find_element(By.CSS_SELECTOR, ".jp-OutputArea-output table").text
        self.assertIn("x₁₀", old)
        driver.execute_script("arguments[0].scrollIntoView()", cell)
        editor.click()
        ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).perform()
        ActionChains(driver).send_keys(editor.text.replace("t: [1, 10, 100, 1000]", "t: [3]")).perform()
        wait.until(lambda d: "t: [3]" in editor.text)
        ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()

        def new_table(_):
            tables = cell.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output table")
            return tables and "x₃" in tables[0].text and "x₁₀" not in tables[0].text and tables[0].text
        table = wait.until(new_table)
        rows = [line for line in table.split("\n") if "x₃" in line]
        self.assertEqual(len(rows), 3, table)  # mean, variance, law of x₃
        self.assertTrue(all(line.rstrip().endswith("✓") for line in rows), table)
        driver.execute_script("arguments[0].scrollIntoView()", cell)
        save(driver, "jupyterlab.png")


if __name__ == "__main__":
    unittest.main()
