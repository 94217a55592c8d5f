package io.parvirt.partition;

/** What a program run in a partition through its guest agent ended with. */
public record GuestExecResult(int exitCode, byte[] stdout, byte[] stderr) {
}
