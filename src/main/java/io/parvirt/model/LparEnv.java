package io.parvirt.model;

/** Partition environment: AIX or Linux, IBM i, or a Virtual I/O Server. */
public enum LparEnv implements HmcEnum {
    AIXLINUX("aixlinux"),
    OS400("os400"),
    VIOSERVER("vioserver");

    private final String hmcName;

    LparEnv(String hmcName) {
        this.hmcName = hmcName;
    }

    @Override
    public String hmcName() {
        return hmcName;
    }
}
