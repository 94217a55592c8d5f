package io.parvirt.cli;

import io.parvirt.home.ParvirtHome;
import io.parvirt.image.ImageStore;
import io.parvirt.image.PartitionImage;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code parvirt image build|list}: the partition images of this home. */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Build or list partition images.",
        subcommands = {ImageCommand.Build.class, ImageCommand.ListImages.class})
final class ImageCommand {

    @Command(name = "build", description = "(Re)build the default partition image, showing progress.")
    static final class Build implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            ParvirtHome home = ParvirtHome.fromEnvironment();
            home.create();
            PartitionImage img = new ImageStore(home.imageStore()).build(line -> System.err.println("image: " + line));
            System.out.println("built " + img.name() + ": " + img.kernel() + " " + img.initramfs());
            return 0;
        }
    }

    @Command(name = "list", description = "List the images of this home.")
    static final class ListImages implements Callable<Integer> {
        @Override
        public Integer call() {
            ParvirtHome home = ParvirtHome.fromEnvironment();
            var all = new ImageStore(home.imageStore()).list();
            if (all.isEmpty()) {
                System.out.println("No results were found.");
            }
            for (PartitionImage i : all) {
                System.out.println("name=" + i.name() + ",kernel=" + i.kernel() + ",initramfs=" + i.initramfs()
                        + ",disk=" + (i.disk() == null ? "none" : i.disk()) + ",\"description=" + i.description() + "\"");
            }
            return 0;
        }
    }
}
