/**
 * The state home ({@code PARVIRT_HOME}, default {@code ~/.parvirt}): where configuration, the
 * store, logs, sockets and images live. Two homes never share a file, so two daemons never meet.
 */
package io.parvirt.home;
