/**
 * The HMC's restricted shell, interpreted: parser ({@link io.parvirt.ssh.shell.Parser}),
 * interpreter ({@link io.parvirt.ssh.shell.RestrictedShell}) and the tools HMC users rely on,
 * written without file access (see {@code io.parvirt.ssh} for why).
 */
package io.parvirt.ssh.shell;
