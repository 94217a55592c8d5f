package io.parvirt.model;

/** Dedicated memory, or Active Memory Sharing (not offered by parvirt). */
public enum MemMode implements HmcEnum {
    DED("ded"),
    SHARED("shared");

    private final String hmcName;

    MemMode(String hmcName) {
        this.hmcName = hmcName;
    }

    @Override
    public String hmcName() {
        return hmcName;
    }
}
