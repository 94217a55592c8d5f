package io.parvirt.model;

/** Partition keylock position. */
public enum LparKeylock implements HmcEnum {
    NORM("norm"),
    MANUAL("manual");

    private final String hmcName;

    LparKeylock(String hmcName) {
        this.hmcName = hmcName;
    }

    @Override
    public String hmcName() {
        return hmcName;
    }
}
