package io.parvirt.model;

/** Boot mode: normal, SMS menu, Open Firmware prompt, diagnostic default or stored boot list. */
public enum BootMode implements HmcEnum {
    NORM("norm"),
    SMS("sms"),
    OF("of"),
    DD("dd"),
    DS("ds");

    private final String hmcName;

    BootMode(String hmcName) {
        this.hmcName = hmcName;
    }

    @Override
    public String hmcName() {
        return hmcName;
    }
}
