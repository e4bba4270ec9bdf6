#!/usr/bin/python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""The packaging descriptors name exactly the library's real files.

Truth, from the file system: the sources are c-src/**/*.c; the public
include folder is include/; the private include folders are those of the
headers in c-src/ that a source in another folder includes; the version is
c-src/core/version.c's. Checked against it:
  cmake/rtmem-sources.cmake   (root CMakeLists.txt, the ESP-IDF component
                               branch in it, and the Zephyr module use it)
  CMakeLists.txt              project version, ESP-IDF include folders
  zephyr/module.yml, zephyr/CMakeLists.txt, zephyr/Kconfig
  library.json                (PlatformIO: srcDir + srcFilter evaluated on the tree)
  Doxyfile                    PROJECT_NUMBER
Exits 1 with one line per difference.
"""
import fnmatch
import glob
import json
import os
import re
import sys

errors = []


def err(msg):
    errors.append(msg)


def truth():
    sources = sorted(glob.glob("c-src/**/*.c", recursive=True))
    private = set()
    for src in sources:
        for inc in re.findall(r'#include "([^"]+)"', open(src, encoding="utf-8").read()):
            if os.path.exists(os.path.join(os.path.dirname(src), inc)) or os.path.exists(os.path.join("include", inc)):
                continue
            hits = [h for h in glob.glob("c-src/**/" + inc, recursive=True)]
            if not hits:
                err(f"{src}: includes {inc}, found neither beside it, in include/ nor in c-src/")
            private.update(os.path.dirname(h) for h in hits)
    version = re.search(r'version\[\] = "([^"]+)"', open("c-src/core/version.c", encoding="utf-8").read()).group(1)
    return sources, sorted(private), version


def compare(what, listed, real):
    listed, real = set(listed), set(real)
    for f in sorted(real - listed):
        err(f"{what}: lacks {f}")
    for f in sorted(listed - real):
        err(f"{what}: names {f}, which is not a library source")


def main():
    sources, private, version = truth()

    # cmake/rtmem-sources.cmake
    text = open("cmake/rtmem-sources.cmake", encoding="utf-8").read()
    compare("cmake/rtmem-sources.cmake", re.findall(r"\$\{RTMEM_DIR\}/(c-src/\S+\.c)", text), sources)
    for group in re.findall(r"set\(RTMEM_\w+_SOURCES\b", text):
        name = group.split("(")[1]
        if "${" + name + "}" not in text.split("set(RTMEM_SOURCES", 1)[-1]:
            err(f"cmake/rtmem-sources.cmake: {name} is not part of RTMEM_SOURCES")
    m = re.search(r"set\(RTMEM_PRIVATE_INCLUDE_DIR ((?:\$\{RTMEM_DIR\}/\S+\s*)+)\)", text)
    listed_priv = re.findall(r"\$\{RTMEM_DIR\}/(\S+)", m.group(1)) if m else []
    compare("cmake/rtmem-sources.cmake private include folders", listed_priv, private)
    if "set(RTMEM_PUBLIC_INCLUDE_DIR ${RTMEM_DIR}/include)" not in text:
        err("cmake/rtmem-sources.cmake: the public include folder is not ${RTMEM_DIR}/include")

    # root CMakeLists.txt: version, and the ESP-IDF component branch
    text = open("CMakeLists.txt", encoding="utf-8").read()
    if f"project(rtmem VERSION {version} " not in text:
        err(f"CMakeLists.txt: project version is not {version}")
    idf = re.search(r"idf_component_register\((.*?)\)", text, re.S)
    if not idf:
        err("CMakeLists.txt: no ESP-IDF idf_component_register branch")
    else:
        body = idf.group(1)
        if "SRCS ${RTMEM_SOURCES}" not in body:
            err("CMakeLists.txt: the ESP-IDF component's SRCS is not ${RTMEM_SOURCES}")
        if not re.search(r"INCLUDE_DIRS include\b", body):
            err("CMakeLists.txt: the ESP-IDF component's INCLUDE_DIRS is not include")
        priv = re.search(r"PRIV_INCLUDE_DIRS ([^\n)]*)", body)
        compare("CMakeLists.txt ESP-IDF PRIV_INCLUDE_DIRS", priv.group(1).split() if priv else [], private)

    # Zephyr module
    mod = open("zephyr/module.yml", encoding="utf-8").read()
    if not re.search(r"^name: rtmem$", mod, re.M):
        err("zephyr/module.yml: name is not rtmem")
    cm = re.search(r"^\s+cmake: (\S+)$", mod, re.M)
    kc = re.search(r"^\s+kconfig: (\S+)$", mod, re.M)
    if not cm or not os.path.exists(os.path.join(cm.group(1), "CMakeLists.txt")):
        err("zephyr/module.yml: build.cmake does not name a folder with a CMakeLists.txt")
    if not kc or not os.path.exists(kc.group(1)):
        err("zephyr/module.yml: build.kconfig does not name an existing file")
    zc = open("zephyr/CMakeLists.txt", encoding="utf-8").read()
    for needed in ("cmake/rtmem-sources.cmake", "zephyr_library_sources(${RTMEM_SOURCES})",
                   "zephyr_include_directories(${RTMEM_PUBLIC_INCLUDE_DIR})",
                   "zephyr_library_include_directories(${RTMEM_PRIVATE_INCLUDE_DIR})"):
        if needed not in zc:
            err(f"zephyr/CMakeLists.txt: lacks {needed}")
    if "config RTMEM\n" not in open("zephyr/Kconfig", encoding="utf-8").read():
        err("zephyr/Kconfig: no 'config RTMEM'")

    # PlatformIO library.json: evaluate srcDir + srcFilter on the tree
    lib = json.load(open("library.json", encoding="utf-8"))
    if lib.get("version") != version:
        err(f"library.json: version {lib.get('version')} is not {version}")
    if lib.get("license") != "MIT OR Apache-2.0":
        err("library.json: license is not 'MIT OR Apache-2.0'")
    build = lib.get("build", {})
    src_dir = build.get("srcDir", "src")
    picked = set()
    for rule in build.get("srcFilter", ["+<*>"]):
        m = re.fullmatch(r"([+-])<(.*)>", rule)
        if not m:
            err(f"library.json: cannot read srcFilter rule {rule}")
            continue
        files = {os.path.relpath(f, src_dir) for f in glob.glob(os.path.join(src_dir, "**", "*"), recursive=True)
                 if os.path.isfile(f)}
        hit = {f for f in files if fnmatch.fnmatch(f, m.group(2))}
        picked = picked | hit if m.group(1) == "+" else picked - hit
    compare("library.json srcDir/srcFilter", [os.path.join(src_dir, f) for f in picked if f.endswith(".c")], sources)
    if build.get("includeDir") != "include":
        err("library.json: includeDir is not include")
    flags = build.get("flags", [])
    compare("library.json private include flags", [f[2:] for f in flags if f.startswith("-I")], private)

    # Doxyfile
    if f"PROJECT_NUMBER         = {version}" not in open("Doxyfile", encoding="utf-8").read():
        err(f"Doxyfile: PROJECT_NUMBER is not {version}")

    for e in errors:
        print("check-packaging:", e)
    if errors:
        return 1
    print(f"check-packaging: CMake, ESP-IDF, Zephyr, PlatformIO and Doxyfile name the {len(sources)} sources, "
          f"include/ and {', '.join(private)}; version {version}")
    return 0


if __name__ == "__main__":
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    sys.exit(main())
