"""One live kernel driven through a list of steps, for the tests (run with the project venv's Python).

Reads a JSON list from stdin and writes the results to the file named by its one argument; each step is one of
  {"execute": "code"}                   run a cell and wait for its reply
  {"write": ["/abs/path", "text"]}      write a file (its folder made if needed), as an editor would, from outside
  {"remove": "/abs/path"}               remove a file or folder
  {"sleep": seconds}
and writes one JSON list: per executed cell its reply status, stdout, stderr, the display messages (each one's
MIME bundle), the seconds from request to reply and the CPU seconds the kernel process spent on it (user + system,
from /proc: steadier than wall time on a busy machine). Kernel: $KERNEL_NAME (default bankseg-tslab), found through
JUPYTER_PATH.
"""
import json
import os
import subprocess
import shutil
import sys
import time

from jupyter_client.manager import start_new_kernel


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), 0 where unavailable."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def main() -> None:
    steps = json.load(sys.stdin)
    # The kernel's own output goes to stderr, never into the results.
    km, kc = start_new_kernel(
        kernel_name=os.environ.get("KERNEL_NAME", "bankseg-tslab"), startup_timeout=120, stdout=subprocess.DEVNULL, stderr=sys.stderr
    )
    pid = getattr(getattr(km, "provisioner", None), "process", None)
    pid = pid.pid if pid is not None else 0
    results = []
    try:
        for step in steps:
            if "write" in step:
                path, text = step["write"]
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
            elif "remove" in step:
                shutil.rmtree(step["remove"], ignore_errors=True)
                if os.path.exists(step["remove"]):
                    os.remove(step["remove"])
            elif "sleep" in step:
                time.sleep(step["sleep"])
            elif "execute" in step:
                out = {"stdout": "", "stderr": "", "displays": []}

                def hook(msg, out=out):
                    kind, content = msg["msg_type"], msg["content"]
                    if kind == "stream":
                        out[content["name"]] += content["text"]
                    elif kind in ("display_data", "execute_result"):
                        out["displays"].append(content["data"])
                    elif kind == "error":
                        out["stderr"] += f"{content['ename']}: {content['evalue']}\n"

                start, cpu = time.monotonic(), cpu_seconds(pid)
                reply = kc.execute_interactive(step["execute"], timeout=600, output_hook=hook, stop_on_error=False)
                out["seconds"] = time.monotonic() - start
                out["cpu_seconds"] = cpu_seconds(pid) - cpu
                out["status"] = reply["content"]["status"]
                results.append(out)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
