#!/usr/bin/python3
"""check_job_scripts.py JOBS_DIR: the batch scripts follow jobs/ style and their directives parse.

Every script (jobs/slurm/*.sbatch, jobs/pbs/*.pbs): a bash shebang; line 2 a comment saying
what it shows; then only scheduler directives (#SBATCH / #PBS), each of a known option with a
well-formed value; then the sourced lib.sh line and exactly one launch line. Every study config
jobs/configs/X.ini has jobs/slurm/X.sbatch and jobs/pbs/X.pbs, and those launch that config.
Slurm scripts ask for a wall-time warning to the batch shell (--signal=B:USR1@N) and name their
log by job id (%j / %A); PBS scripts launch mpirun over $PBS_NODEFILE. Also each passes bash -n.
Exits 1 with one line per problem.
"""
import glob
import os
import re
import subprocess
import sys

TIME = r"(\d+|\d+:\d\d|\d+:\d\d:\d\d|\d+-\d+(:\d\d(:\d\d)?)?)"
SBATCH = {  # option -> value pattern
    "--job-name": r"[A-Za-z][\w.-]*",
    "--ntasks": r"[1-9]\d*",
    "--nodes": r"[1-9]\d*(-[1-9]\d*)?",
    "--ntasks-per-node": r"[1-9]\d*",
    "--cpus-per-task": r"[1-9]\d*",
    "--time": TIME,
    "--signal": r"B:USR1@[1-9]\d*",
    "--output": r"\S*%[jA]\S*",
    "--error": r"\S*%[jA]\S*",
    "--partition": r"\S+",
    "--account": r"\S+",
    "--mem": r"\d+[KMGT]?",
}
PBS = {  # option -> value pattern
    "-N": r"[A-Za-z][\w.-]{0,14}",  # Torque: at most 15 characters
    "-l": r"(nodes=[1-9]\d*:ppn=[1-9]\d*|walltime=\d+:\d\d:\d\d|select=[1-9]\d*(:\w+=\w+)*|mem=\d+[kmgt]?b)",
    "-j": r"oe|eo|n",
    "-q": r"\S+",
    "-A": r"\S+",
    "-m": r"[abe]+|n",
}


def check(path, prefix, options, problems):
    def bad(msg):
        problems.append(f"{path}: {msg}")

    if subprocess.run(["bash", "-n", path]).returncode != 0:
        bad("bash -n fails")
    lines = open(path).read().splitlines()
    if not lines or not lines[0].startswith("#!") or "bash" not in lines[0]:
        bad("line 1 is not a bash shebang")
    if len(lines) < 2 or not re.match(r"# \S.{20,}", lines[1]) or lines[1].startswith(prefix):
        bad("line 2 does not say what the script shows")
    i = 2
    seen = {}
    while i < len(lines) and lines[i].startswith(prefix):
        m = re.fullmatch(re.escape(prefix) + r" +(-[-\w]+)(?:[ =](.*))?", lines[i].strip())
        if not m:
            bad(f"line {i + 1}: cannot parse directive '{lines[i]}'")
        else:
            opt, value = m.group(1), (m.group(2) or "").strip()
            if opt not in options:
                bad(f"line {i + 1}: unknown option {opt}")
            elif not re.fullmatch(options[opt], value):
                bad(f"line {i + 1}: {opt} '{value}' does not match {options[opt]}")
            seen.setdefault(opt, []).append(value)
        i += 1
    body = [l for l in lines[i:] if l.strip() and not l.lstrip().startswith("#")]
    if any(l.startswith(prefix) for l in lines[i:]):
        bad(f"a {prefix} directive after the first command (the scheduler ignores it)")
    if not body or "lib.sh" not in body[0]:
        bad("the first command is not sourcing lib.sh")
    launches = [l for l in body[1:] if re.search(r"\bntksweep (run|merge)\b", l)]
    if len(body) != 2 or len(launches) != 1:
        bad(f"expected one launch line after lib.sh, found {len(body) - 1} commands")
    return seen, (launches[0] if launches else "")


def main(jobs):
    problems = []
    studies = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(jobs, "configs", "*.ini")))
    for s in studies:
        for d, ext in (("slurm", ".sbatch"), ("pbs", ".pbs")):
            if not os.path.exists(os.path.join(jobs, d, s + ext)):
                problems.append(f"study config {s}.ini has no jobs/{d}/{s}{ext}")
    for path in sorted(glob.glob(os.path.join(jobs, "slurm", "*.sbatch"))):
        seen, launch = check(path, "#SBATCH", SBATCH, problems)
        if "--output" not in seen:
            problems.append(f"{path}: no --output named by job id")
        if "--time" not in seen:
            problems.append(f"{path}: no --time")
        if "ntksweep run" in launch:
            if "--signal" not in seen:
                problems.append(f"{path}: no --signal=B:USR1@N wall-time warning")
            if not re.search(r"\b(srun --mpi=pmix|mpirun)\b", launch) or not launch.startswith("sweep "):
                problems.append(f"{path}: the launch is not `sweep srun --mpi=pmix …` or `sweep mpirun …`")
    for path in sorted(glob.glob(os.path.join(jobs, "pbs", "*.pbs"))):
        seen, launch = check(path, "#PBS", PBS, problems)
        limits = seen.get("-l", [])
        if not any(v.startswith("walltime=") for v in limits):
            problems.append(f"{path}: no -l walltime=")
        if not any(v.startswith(("nodes=", "select=")) for v in limits):
            problems.append(f"{path}: no -l nodes= (or select=)")
        if "-N" not in seen:
            problems.append(f"{path}: no -N job name")
        if "ntksweep run" in launch and ("mpirun" not in launch or "$PBS_NODEFILE" not in launch):
            problems.append(f"{path}: the launch is not mpirun over $PBS_NODEFILE")
    for s in studies:
        for path in (os.path.join(jobs, "slurm", s + ".sbatch"), os.path.join(jobs, "pbs", s + ".pbs")):
            if os.path.exists(path) and f"configs/{s}.ini" not in open(path).read():
                problems.append(f"{path}: does not run configs/{s}.ini")
    for lib in (os.path.join(jobs, "slurm", "lib.sh"), os.path.join(jobs, "pbs", "lib.sh")):
        if not os.path.exists(lib) or subprocess.run(["bash", "-n", lib]).returncode != 0:
            problems.append(f"{lib}: missing or bash -n fails")
    for p in problems:
        print(p)
    n = len(glob.glob(os.path.join(jobs, "slurm", "*.sbatch"))) + len(glob.glob(os.path.join(jobs, "pbs", "*.pbs")))
    if not problems:
        print(f"{n} job scripts: bash -n passes, directives parse, one launch line each; "
              f"{len(studies)} study configs each have a Slurm and a PBS script")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
