/**
 * The HMC over SSH (issue 15): an SSH server inside the daemon (Apache MINA SSHD) through which
 * the scripts and tools written for real HMCs ({@code ssh hscroot@hmc 'lssyscfg -r sys -F name'})
 * work unchanged.
 *
 * <p><b>Why the restricted shell is interpreted in the daemon, not a real {@code bash -r}.</b> An
 * HMC runs each command string in a restricted bash whose PATH holds the HMC commands and a few
 * tools. Doing the same here would need, per session, an unprivileged uid, a mount namespace that
 * hides the home (token, store, disks), a PATH of stubs, and a light way for each stub to reach
 * the daemon (a JVM per command costs ~120 ms; the target is 50 ms). Every one of those is a place
 * to get wrong, and GNU {@code grep -r}, {@code tail FILE}, {@code sed e/w} and {@code sort -o}
 * all touch files by design. {@link io.parvirt.ssh.shell.RestrictedShell} instead interprets the
 * subset of bash that clients send ({@code ;}, {@code && ||}, pipelines, {@code while read},
 * {@code for}, {@code if test}, {@code $(…)}, {@code < <(…)}, quoting, {@code VAR=v cmd}) and
 * implements the tools ({@code grep egrep sed sort tail date echo uname ping}) in Java without any
 * file access: escape resistance comes from there being no host process and no file API in reach,
 * not from a sandbox that must be configured right. The price is fidelity at the edges
 * (arithmetic, here-documents, functions, globbing, rarer tool options are refused with a line
 * on standard error), which tools that target an HMC do not use. A command costs a parse and an
 * in-process HMC call (see bench/RESULTS.md).
 *
 * <p>Authentication is as an HMC user ({@link HmcLogin}): {@code password},
 * {@code keyboard-interactive} (prompt {@code Password: }) and public keys from
 * {@code mkauthkeys}. Settings: {@link SshSettings}.
 */
package io.parvirt.ssh;
