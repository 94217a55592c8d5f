/**
 * Files that survive a crash whole: a state file is replaced so that a reader, or a daemon started
 * after a kill, finds the old content or the new, never a part. The lowest layer: JDK only, usable by
 * every package that keeps state in a file, the storage server ({@code vios.nbd}, a process of its
 * own) included.
 */
package io.parvirt.durable;
