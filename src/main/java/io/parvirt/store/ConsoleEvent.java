package io.parvirt.store;

import java.time.Instant;

/** One entry of the console event log ({@code lssvcevents -t console}). */
public record ConsoleEvent(Instant time, String userid, String name, String category, String severity,
        String text) {
}
