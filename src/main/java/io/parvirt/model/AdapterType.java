package io.parvirt.model;

/** Side of a virtual SCSI, serial or Fibre Channel adapter pair. */
public enum AdapterType implements HmcEnum {
    CLIENT("client"), SERVER("server");

    private final String hmcName;

    AdapterType(String hmcName) {
        this.hmcName = hmcName;
    }

    @Override
    public String hmcName() {
        return hmcName;
    }
}
