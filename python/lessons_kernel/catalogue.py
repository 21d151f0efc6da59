"""What the `lessons` binary knows about its checks (`lessons checks --json`), for
completion and inspection. ("Did you mean" comes from the binary's own error message.)"""
import json

from . import binary


class Catalogue:
    def __init__(self, checks):
        self.checks = {check["id"]: check for check in checks}

    @classmethod
    def load(cls, timeout=30):
        status, out, err = binary.run(["checks", "--json"], timeout=timeout)
        if status != 0:
            raise binary.BinaryFailed(f"`lessons checks --json` failed (exit {status}): {err.strip()}")
        return cls(json.loads(out)["checks"])

    def parameter_names(self, check_id):
        return [parameter["name"] for parameter in self.checks.get(check_id, {}).get("parameters", [])]

    def describe(self, check_id):
        """Plain text for Shift-Tab: the identity under test, parameters, known mistakes."""
        check = self.checks[check_id]
        lines = [f"{check['id']} — {check['title']}", ""]
        parameters = check.get("parameters", [])
        if parameters:
            lines.append("Parameters (YAML, each optional):")
            for parameter in parameters:
                lines.append(f"  {parameter['name']}: {parameter['yamlDefault']}    # {parameter['help']}; {parameter['accepted']}")
        else:
            lines.append("No parameters.")
        mistakes = check.get("mistakes", [])
        if mistakes:
            lines += ["", "Mistakes it is proven to catch (lessons audit):"]
            lines += [f"  {mistake['id']}: {mistake['mistake']}" for mistake in mistakes]
        return "\n".join(lines)
