package io.parvirt.model;

/** Dedicated whole cores or a share of the shared processor pool. */
public enum ProcMode implements HmcEnum {
    DED("ded"),
    SHARED("shared");

    private final String hmcName;

    ProcMode(String hmcName) {
        this.hmcName = hmcName;
    }

    @Override
    public String hmcName() {
        return hmcName;
    }
}
