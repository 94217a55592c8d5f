package io.parvirt.model;

import static io.parvirt.model.ModelException.Kind.INVALID_VALUE;
import static io.parvirt.model.ModelException.Kind.MISSING_ATTRIBUTE;
import static io.parvirt.model.ModelException.Kind.NOT_SUPPORTED;

/** Partition-level attributes being written, for {@code mksyscfg -r lpar} and {@code chsyscfg -r lpar}. */
public final class PartitionDraft {
    String name;
    Integer lparId;
    LparEnv env;
    String profileName;
    String newName;
    String defaultProfile;
    boolean allowPerfCollection;
    boolean sharedProcPoolUtilAuth;
    Integer availPriority;
    LparKeylock keylock = LparKeylock.NORM;
    boolean syncCurrProfile;
    Boolean msp;
    boolean suspendCapable;
    boolean remoteRestartCapable;
    boolean migrationDisabled;
    String description = "";

    public static PartitionDraft create() {
        return new PartitionDraft();
    }

    public static PartitionDraft of(Partition p) {
        PartitionDraft d = new PartitionDraft();
        d.name = p.name();
        d.lparId = p.id();
        d.env = p.env();
        d.defaultProfile = p.defaultProfile();
        PartitionOptions o = p.options();
        d.allowPerfCollection = o.allowPerfCollection();
        d.sharedProcPoolUtilAuth = o.sharedProcPoolUtilAuth();
        d.availPriority = o.availPriority();
        d.keylock = o.keylock();
        d.syncCurrProfile = o.syncCurrProfile();
        d.msp = o.msp();
        d.suspendCapable = o.suspendCapable();
        d.remoteRestartCapable = o.remoteRestartCapable();
        d.migrationDisabled = o.migrationDisabled();
        d.description = o.description();
        return d;
    }

    public String name() {
        return name;
    }

    public Integer lparId() {
        return lparId;
    }

    public String newName() {
        return newName;
    }

    public String defaultProfile() {
        return defaultProfile;
    }

    public String profileName() {
        return profileName;
    }

    public LparEnv env() {
        return env;
    }

    public void requireForCreate() {
        if (name == null) {
            throw new ModelException(MISSING_ATTRIBUTE, "name", "The attribute name is required but was not specified.");
        }
        if (profileName == null) {
            throw new ModelException(MISSING_ATTRIBUTE, "profile_name", "The attribute profile_name is required but "
                    + "was not specified: it names the partition's first profile.");
        }
        if (env == null) {
            throw new ModelException(MISSING_ATTRIBUTE, "lpar_env", "The attribute lpar_env is required but was not "
                    + "specified: use aixlinux or vioserver.");
        }
    }

    /** The partition record; {@code id} and {@code uuid} are decided by the caller. */
    public Partition build(int id, String uuid) {
        LparEnv e = env;
        if (e == LparEnv.OS400) {
            throw new ModelException(NOT_SUPPORTED, "lpar_env", "The value os400 for attribute lpar_env is not "
                    + "supported by this managed system (os400_capable=0): use aixlinux or vioserver.");
        }
        if (Boolean.TRUE.equals(msp) && e != LparEnv.VIOSERVER) {
            throw new ModelException(INVALID_VALUE, "msp", "The attribute msp=1 is valid only for a Virtual I/O Server "
                    + "partition: a mover service partition must have lpar_env=vioserver.");
        }
        PartitionOptions defaults = PartitionOptions.defaults(e);
        PartitionOptions o = new PartitionOptions(allowPerfCollection, sharedProcPoolUtilAuth,
                availPriority == null ? defaults.availPriority() : availPriority, keylock, syncCurrProfile,
                msp == null ? defaults.msp() : msp, suspendCapable, remoteRestartCapable, migrationDisabled,
                description);
        return new Partition(id, newName != null ? newName : name, e,
                defaultProfile != null ? defaultProfile : profileName, uuid, o);
    }
}
