package analysis

import (
	"sort"
	"strings"
)

// This file is the instruction, flag and directive catalog: the facts the editor features
// (completion, hover, signature help) and rules need about the Dockerfile language as BuildKit
// v0.34.2 accepts it. The flag set mirrors frontend/dockerfile/instructions/parse.go (and the
// RUN hooks in commands_run*.go); catalog_test.go checks it against that parser. The prose is
// ours and deliberately short.

// InstructionDoc describes one Dockerfile instruction.
type InstructionDoc struct {
	// Name is the upper-case keyword.
	Name string
	// Summary is one line, without a trailing period.
	Summary string
	// Doc is Markdown: what the instruction does, its forms and an example.
	Doc string
	// Syntax lists the forms, one per entry, for signature help ("COPY [--flags] <src>... <dest>").
	Syntax []string
	// Flags are the flags the instruction accepts, in the order they are usually written.
	Flags []*FlagDoc
	// Snippet is an LSP snippet (with $1, ${2:placeholder}) inserted by completion.
	Snippet string
	// Deprecated reports an instruction kept only for compatibility (MAINTAINER).
	Deprecated bool
}

// FlagDoc describes one "--name" flag of an instruction.
type FlagDoc struct {
	// Name is the flag name without dashes ("mount").
	Name    string
	Summary string
	Doc     string
	// Values are the allowed values when the flag takes one of a fixed set.
	Values []string
	// Suggestions are common values for an open-ended flag (FROM --platform), for completion.
	Suggestions []string
	// TakesValue is true for "--name=value" flags and false for boolean flags ("--link"), which
	// also accept "=true"/"=false".
	TakesValue bool
	// Repeatable reports a flag that may be given more than once (--mount, --exclude, --device).
	Repeatable bool
	// Default is the value in force when the flag is absent ("" when there is none).
	Default string
	// Since names the Dockerfile syntax (or engine) version that introduced the flag; "" when it
	// has always existed.
	Since string
	// SubOptions are the comma-separated key=value options inside the value (--mount).
	SubOptions []OptionDoc
}

// OptionDoc is one key of a comma-separated flag value such as --mount=type=cache,target=/x.
type OptionDoc struct {
	Name    string
	Aliases []string
	Summary string
	// Values are the allowed values when the option takes one of a fixed set.
	Values []string
	// Types restricts the option to some mount types; empty means every type.
	Types []string
	// Bare reports an option that may be written without "=value" (ro, rw, required).
	Bare bool
}

// AppliesTo reports whether o is valid for the mount type typ ("" counts as bind, the default).
func (o OptionDoc) AppliesTo(typ string) bool {
	if len(o.Types) == 0 {
		return true
	}
	if typ == "" {
		typ = "bind"
	}
	for _, t := range o.Types {
		if strings.EqualFold(t, typ) {
			return true
		}
	}
	return false
}

// Option returns the sub-option named name (or one of its aliases), or nil.
func (f *FlagDoc) Option(name string) *OptionDoc {
	for i := range f.SubOptions {
		o := &f.SubOptions[i]
		if strings.EqualFold(o.Name, name) {
			return o
		}
		for _, a := range o.Aliases {
			if strings.EqualFold(a, name) {
				return o
			}
		}
	}
	return nil
}

// OptionsFor returns the sub-options valid for the mount type typ, in catalog order.
func (f *FlagDoc) OptionsFor(typ string) []OptionDoc {
	var out []OptionDoc
	for _, o := range f.SubOptions {
		if o.AppliesTo(typ) {
			out = append(out, o)
		}
	}
	return out
}

// DirectiveDoc describes a parser directive ("# syntax=...") that may open a Dockerfile.
type DirectiveDoc struct {
	Name    string
	Summary string
	Doc     string
	// Values are suggested values (escape: "\\" and "`").
	Values []string
	// Snippet is an LSP snippet for the whole directive line.
	Snippet string
}

// Instructions returns every Dockerfile instruction, in alphabetical order. The slice and its
// elements are shared: callers must not modify them.
func Instructions() []*InstructionDoc { return instructionList }

// LookupInstruction returns the instruction named name (any case), or nil.
func LookupInstruction(name string) *InstructionDoc {
	return instructionIndex[strings.ToUpper(name)]
}

// LookupFlag returns the flag of instruction instr named flag (with or without leading dashes,
// any case), or nil when the instruction does not accept it.
func LookupFlag(instr, flag string) *FlagDoc {
	in := LookupInstruction(instr)
	if in == nil {
		return nil
	}
	flag = strings.ToLower(strings.TrimLeft(flag, "-"))
	for _, f := range in.Flags {
		if f.Name == flag {
			return f
		}
	}
	return nil
}

// Directives returns the parser directives BuildKit recognises (syntax, escape, check).
func Directives() []*DirectiveDoc { return directiveList }

// LookupDirective returns the directive named name (any case), or nil.
func LookupDirective(name string) *DirectiveDoc {
	for _, d := range directiveList {
		if strings.EqualFold(d.Name, name) {
			return d
		}
	}
	return nil
}

// Mount types accepted by RUN --mount=type=...
var mountTypes = []string{"bind", "cache", "tmpfs", "secret", "ssh"}

var (
	flagChown = &FlagDoc{
		Name: "chown", TakesValue: true,
		Summary: "Set the owner (user[:group]) of the copied files",
		Doc: "Sets the owner of the copied files and directories, as `user`, `user:group`, `uid` or " +
			"`uid:gid`. Names are looked up in the image's `/etc/passwd` and `/etc/group`. Without " +
			"it, files are owned by root (0:0).\n\n```dockerfile\nCOPY --chown=app:app src/ /app/\n```",
	}
	flagChmod = &FlagDoc{
		Name: "chmod", TakesValue: true, Since: "dockerfile:1.2",
		Summary: "Set the permission bits of the copied files",
		Doc: "Sets the mode of the copied files, in octal (`0755`) or, from Dockerfile 1.14, in " +
			"symbolic form (`u=rwX,go=rX`, `+x`).\n\n```dockerfile\nCOPY --chmod=0755 entrypoint.sh /usr/local/bin/\n```",
	}
	flagLink = &FlagDoc{
		Name: "link", Since: "dockerfile:1.4",
		Summary: "Copy into an independent layer that does not depend on earlier layers",
		Doc: "Places the files in a layer of their own instead of on top of the previous " +
			"filesystem, so the layer can be reused when earlier layers change and rebased " +
			"without a rebuild. Paths in the destination that are symlinks are not followed.\n\n" +
			"```dockerfile\nCOPY --link --from=build /out/app /usr/bin/app\n```",
	}
	flagExclude = &FlagDoc{
		Name: "exclude", TakesValue: true, Repeatable: true, Since: "dockerfile:1.19",
		Summary: "Leave out paths matching a pattern",
		Doc: "Skips source paths matching a pattern (the same wildcards as sources, Go " +
			"`filepath.Match` rules). Repeat the flag for several patterns.\n\n```dockerfile\nCOPY --exclude=*.md --exclude=docs/ . /src/\n```",
	}
)

var instructionList = []*InstructionDoc{
	{
		Name:    "ADD",
		Summary: "Add local files, remote URLs, Git repositories or archives to the image",
		Doc: "Copies sources into the image like `COPY`, and also accepts HTTP(S) URLs and Git " +
			"repositories, and unpacks local tar archives into the destination. Prefer `COPY` for " +
			"plain local files; pin remote sources with `--checksum`.\n\n" +
			"```dockerfile\nADD --checksum=sha256:0123… https://example.com/tool.tar.gz /opt/\n" +
			"ADD https://github.com/moby/buildkit.git#v0.14.0 /src/buildkit\n```",
		Syntax: []string{
			"ADD [--chown=<user>:<group>] [--chmod=<perms>] [--checksum=<hash>] [--link] <src>... <dest>",
			`ADD [--chown=<user>:<group>] [--chmod=<perms>] ["<src>", ... "<dest>"]`,
		},
		Flags: []*FlagDoc{
			flagChown, flagChmod,
			{
				Name: "checksum", TakesValue: true, Since: "dockerfile:1.6",
				Summary: "Verify a remote source against a digest or Git commit",
				Doc: "Fails the build unless the remote source matches. For HTTP(S) sources give the " +
					"content digest (`sha256:<hex>`); for Git sources give the commit SHA (full or a " +
					"prefix).\n\n```dockerfile\nADD --checksum=sha256:24454f83… https://example.com/a.tar.gz /\n```",
			},
			{
				Name: "keep-git-dir", Since: "dockerfile:1.1",
				Summary: "Keep the .git directory when adding a Git repository",
				Doc: "When the source is a Git repository, keeps its `.git` directory in the " +
					"destination (dropped by default).\n\n```dockerfile\nADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.10.1 /buildkit\n```",
			},
			flagLink,
			{
				Name: "unpack", Since: "dockerfile:1.17",
				Summary: "Choose whether archives are extracted",
				Doc: "Controls extraction of tar archives. Local archives are unpacked by default and " +
					"remote ones are not; `--unpack=true` extracts a remote archive and " +
					"`--unpack=false` copies a local one as is.\n\n```dockerfile\nADD --unpack=true https://example.com/rootfs.tar.gz /\n```",
			},
			flagExclude,
		},
		Snippet: "ADD ${1:src} ${2:dest}",
	},
	{
		Name:    "ARG",
		Summary: "Declare a build argument, optionally with a default value",
		Doc: "Declares a variable the build can set with `--build-arg`. An `ARG` before the first " +
			"`FROM` is global and usable in `FROM` lines; to use it inside a stage, declare it again " +
			"there (without a value to inherit the default). Values are not kept in the image " +
			"environment, but they do appear in the image history: do not pass secrets this way.\n\n" +
			"```dockerfile\nARG VERSION=3.20\nFROM alpine:${VERSION}\nARG VERSION\n```",
		Syntax:  []string{"ARG <name>[=<default value>] [<name>[=<default value>]...]"},
		Snippet: "ARG ${1:name}${2:=${3:value}}",
	},
	{
		Name:    "CMD",
		Summary: "Set the default command (or default arguments for ENTRYPOINT)",
		Doc: "Sets what a container runs when no command is given. With an `ENTRYPOINT` in exec " +
			"form, `CMD` supplies its default arguments. Only the last `CMD` of the final stage " +
			"counts. Prefer the exec (JSON) form so signals reach the process.\n\n" +
			"```dockerfile\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n```",
		Syntax: []string{
			`CMD ["executable", "param1", "param2"]`,
			`CMD ["param1", "param2"]`,
			"CMD command param1 param2",
		},
		Snippet: `CMD ["${1:executable}"${2:, "${3:param}"}]`,
	},
	{
		Name:    "COPY",
		Summary: "Copy files from the build context, a stage or an image",
		Doc: "Copies files and directories into the image. Sources are relative to the build " +
			"context, or to the stage or image named by `--from`. A destination ending in `/` is a " +
			"directory.\n\n```dockerfile\nCOPY --from=build --chown=app:app /out/app /usr/local/bin/\n```",
		Syntax: []string{
			"COPY [--from=<stage|image>] [--chown=<user>:<group>] [--chmod=<perms>] [--link] [--parents] [--exclude=<pattern>] <src>... <dest>",
			`COPY [--chown=<user>:<group>] [--chmod=<perms>] ["<src>", ... "<dest>"]`,
		},
		Flags: []*FlagDoc{
			{
				Name: "from", TakesValue: true,
				Summary: "Copy from a build stage, named context or image instead of the context",
				Doc: "Takes the sources from an earlier stage (by name or index), a named build " +
					"context, or an image reference.\n\n```dockerfile\nCOPY --from=build /out/app /app\n" +
					"COPY --from=nginx:1.27 /etc/nginx/nginx.conf /etc/nginx/\n```",
			},
			flagChown, flagChmod, flagLink,
			{
				Name: "parents", Since: "dockerfile:1.20",
				Summary: "Keep the parent directories of the sources",
				Doc: "Recreates each source's parent directories under the destination instead of " +
					"flattening. A `/./` in a source marks where the kept part starts.\n\n" +
					"```dockerfile\nCOPY --parents ./x/a.txt ./y/a.txt /no_parents/\n" +
					"COPY --parents ./src/./pkg/*.go /app/\n```",
			},
			flagExclude,
		},
		Snippet: "COPY ${1:src} ${2:dest}",
	},
	{
		Name:    "ENTRYPOINT",
		Summary: "Set the executable the container runs",
		Doc: "Makes the container run as an executable; `CMD` and `docker run` arguments are " +
			"appended in exec form. The shell form runs under `/bin/sh -c`, ignores `CMD` and does " +
			"not forward signals, so prefer exec form.\n\n" +
			"```dockerfile\nENTRYPOINT [\"/usr/bin/tini\", \"--\", \"/app\"]\n```",
		Syntax: []string{
			`ENTRYPOINT ["executable", "param1", "param2"]`,
			"ENTRYPOINT command param1 param2",
		},
		Snippet: `ENTRYPOINT ["${1:executable}"${2:, "${3:param}"}]`,
	},
	{
		Name:    "ENV",
		Summary: "Set environment variables for later instructions and the container",
		Doc: "Sets variables that later instructions can expand and that persist in the image " +
			"(visible with `docker inspect`): never put secrets here. The legacy `ENV key value` " +
			"form sets one variable.\n\n```dockerfile\nENV PATH=/opt/app/bin:$PATH LANG=C.UTF-8\n```",
		Syntax:  []string{"ENV <key>=<value> [<key>=<value>...]", "ENV <key> <value>"},
		Snippet: "ENV ${1:key}=${2:value}",
	},
	{
		Name:    "EXPOSE",
		Summary: "Document the ports the container listens on",
		Doc: "Records ports (TCP by default, or `/udp`) as image metadata. It publishes nothing " +
			"by itself; `docker run -p` or `-P` does.\n\n```dockerfile\nEXPOSE 8080/tcp 8125/udp\n```",
		Syntax:  []string{"EXPOSE <port>[/<protocol>] [<port>[/<protocol>]...]"},
		Snippet: "EXPOSE ${1:port}",
	},
	{
		Name:    "FROM",
		Summary: "Start a build stage from a base image or an earlier stage",
		Doc: "Starts a new stage based on an image, an earlier stage name, or `scratch` (empty). " +
			"`AS name` names the stage for `COPY --from` and `--target`. Global `ARG`s may be used " +
			"in the image. Pin by digest for reproducible, tamper-evident builds.\n\n" +
			"```dockerfile\nFROM --platform=$BUILDPLATFORM golang:1.23@sha256:… AS build\nFROM scratch\n```",
		Syntax: []string{
			"FROM [--platform=<platform>] <image>[:<tag>|@<digest>] [AS <name>]",
		},
		Flags: []*FlagDoc{{
			Name: "platform", TakesValue: true,
			Summary: "Choose the platform of a multi-platform base image",
			Doc: "Selects the platform (`os/arch[/variant]`) of the base image, for example " +
				"`linux/arm64`, or `$BUILDPLATFORM` to run build tools natively when " +
				"cross-compiling.\n\n```dockerfile\nFROM --platform=$BUILDPLATFORM golang:1.23 AS build\n```",
			Suggestions: []string{"$BUILDPLATFORM", "$TARGETPLATFORM", "linux/amd64", "linux/arm64", "linux/arm/v7", "linux/386", "linux/ppc64le", "linux/s390x", "linux/riscv64", "windows/amd64"},
		}},
		Snippet: "FROM ${1:image}:${2:tag}",
	},
	{
		Name:    "HEALTHCHECK",
		Summary: "Tell the engine how to test that the container still works",
		Doc: "Runs a command periodically inside the container; exit 0 means healthy, 1 " +
			"unhealthy. `HEALTHCHECK NONE` disables a check inherited from the base image. Only " +
			"the last one counts.\n\n```dockerfile\nHEALTHCHECK --interval=30s --timeout=3s \\\n" +
			"  CMD curl -fsS http://localhost:8080/health || exit 1\n```",
		Syntax: []string{
			"HEALTHCHECK [--interval=<duration>] [--timeout=<duration>] [--start-period=<duration>] [--start-interval=<duration>] [--retries=<n>] CMD <command>",
			"HEALTHCHECK NONE",
		},
		Flags: []*FlagDoc{
			{
				Name: "interval", TakesValue: true, Default: "30s",
				Summary: "Time between checks",
				Doc:     "Duration between two checks, counted from the end of the previous one (Go duration: `30s`, `1m30s`). Default `30s`.",
			},
			{
				Name: "timeout", TakesValue: true, Default: "30s",
				Summary: "Time a single check may take",
				Doc:     "A check running longer than this is killed and counts as a failure. Default `30s`.",
			},
			{
				Name: "start-period", TakesValue: true, Default: "0s",
				Summary: "Grace period while the container starts",
				Doc:     "Failures during this period do not count towards `--retries`; a success ends it. Default `0s`.",
			},
			{
				Name: "start-interval", TakesValue: true, Default: "5s", Since: "Docker Engine 25.0",
				Summary: "Time between checks during the start period",
				Doc:     "Check frequency during `--start-period`. Default `5s`; needs Docker Engine 25.0 or later.",
			},
			{
				Name: "retries", TakesValue: true, Default: "3",
				Summary: "Consecutive failures before the container is unhealthy",
				Doc:     "Number of consecutive failed checks after which the status becomes `unhealthy`. Default `3`.",
			},
		},
		Snippet: "HEALTHCHECK --interval=${1:30s} --timeout=${2:3s} CMD ${3:command}",
	},
	{
		Name:    "LABEL",
		Summary: "Add key-value metadata to the image",
		Doc: "Adds metadata to the image config. Use the `org.opencontainers.image.*` keys for " +
			"well-known fields.\n\n```dockerfile\nLABEL org.opencontainers.image.source=\"https://github.com/acme/app\"\n```",
		Syntax:  []string{"LABEL <key>=<value> [<key>=<value>...]"},
		Snippet: "LABEL ${1:key}=\"${2:value}\"",
	},
	{
		Name:       "MAINTAINER",
		Deprecated: true,
		Summary:    "Set the author field of the image (deprecated)",
		Doc: "Deprecated: sets the image's author field. Use a label instead.\n\n" +
			"```dockerfile\nLABEL org.opencontainers.image.authors=\"team@example.com\"\n```",
		Syntax:  []string{"MAINTAINER <name>"},
		Snippet: "MAINTAINER ${1:name}",
	},
	{
		Name:    "ONBUILD",
		Summary: "Register an instruction to run when the image is used as a base",
		Doc: "Stores an instruction that runs at the start of any build whose `FROM` uses this " +
			"image. It runs with the child's context, so it is easy to miss in a review. `ONBUILD` " +
			"cannot wrap `FROM`, `MAINTAINER` or another `ONBUILD`.\n\n" +
			"```dockerfile\nONBUILD COPY . /app/src\n```",
		Syntax:  []string{"ONBUILD <INSTRUCTION>"},
		Snippet: "ONBUILD ${1:INSTRUCTION}",
	},
	{
		Name:    "RUN",
		Summary: "Run a command in a new layer",
		Doc: "Executes a command on top of the current image and commits the result as a layer. " +
			"Shell form runs under the `SHELL` (default `/bin/sh -c`); exec form runs the program " +
			"directly. Here-documents (`<<EOF`) hold multi-line scripts.\n\n" +
			"```dockerfile\nRUN --mount=type=cache,target=/var/cache/apt \\\n" +
			"    apt-get update && apt-get install -y --no-install-recommends curl\n```",
		Syntax: []string{
			"RUN [--mount=<mount>] [--network=<mode>] [--security=<mode>] [--device=<name>] <command>",
			`RUN [--mount=<mount>] ["executable", "param1", "param2"]`,
			"RUN <<EOF\n<script>\nEOF",
		},
		Flags: []*FlagDoc{
			{
				Name: "mount", TakesValue: true, Repeatable: true, Since: "dockerfile:1.2",
				Summary: "Mount a cache, secret, SSH agent, tmpfs or files for this command only",
				Doc: "Adds a mount for the duration of the command; nothing mounted ends up in the " +
					"layer. The value is comma-separated `key=value` options; `type` is `bind` " +
					"(default), `cache`, `tmpfs`, `secret` or `ssh`.\n\n" +
					"```dockerfile\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n" +
					"RUN --mount=type=cache,target=/root/.cache/go-build go build ./...\n```",
				SubOptions: []OptionDoc{
					{Name: "type", Values: mountTypes, Summary: "Mount type: bind (default), cache, tmpfs, secret or ssh"},
					{Name: "target", Aliases: []string{"dst", "destination"}, Summary: "Path where the mount appears"},
					{Name: "source", Aliases: []string{"src"}, Types: []string{"bind", "cache", "secret"}, Summary: "Path in `from` to mount (bind, cache); for secrets a legacy alias of `id`"},
					{Name: "from", Types: []string{"bind", "cache"}, Summary: "Stage, named context or image to mount from (default: the build context, or an empty cache)"},
					{Name: "readonly", Aliases: []string{"ro"}, Bare: true, Types: []string{"bind", "cache"}, Values: []string{"true", "false"}, Summary: "Mount read-only"},
					{Name: "readwrite", Aliases: []string{"rw"}, Bare: true, Types: []string{"bind"}, Values: []string{"true", "false"}, Summary: "Allow writes; they are discarded after the command"},
					{Name: "id", Types: []string{"cache", "secret", "ssh"}, Summary: "Cache id (defaults to target), secret id, or SSH agent id (default \"default\")"},
					{Name: "sharing", Types: []string{"cache"}, Values: []string{"shared", "private", "locked"}, Summary: "Concurrent use of the cache: shared (default), private or locked"},
					{Name: "mode", Types: []string{"cache", "secret", "ssh"}, Summary: "Octal file mode (cache dir 0755, secret 0400, socket 0600)"},
					{Name: "uid", Types: []string{"cache", "secret", "ssh"}, Summary: "Owner user id (default 0)"},
					{Name: "gid", Types: []string{"cache", "secret", "ssh"}, Summary: "Owner group id (default 0)"},
					{Name: "size", Types: []string{"tmpfs"}, Summary: "Size limit of the tmpfs (e.g. 64m)"},
					{Name: "required", Bare: true, Types: []string{"secret", "ssh"}, Values: []string{"true", "false"}, Summary: "Fail the build if the secret or SSH agent is not provided"},
					{Name: "env", Types: []string{"secret"}, Summary: "Expose the secret as this environment variable (instead of or besides a file)"},
				},
			},
			{
				Name: "network", TakesValue: true, Since: "dockerfile:1.3", Default: "default",
				Values:  []string{"default", "none", "host"},
				Summary: "Network access for the command: default, none or host",
				Doc: "`none` gives the command no network (only loopback); `host` uses the " +
					"builder's host network and needs the `network.host` entitlement; `default` is " +
					"the normal build network.\n\n```dockerfile\nRUN --network=none make test\n```",
			},
			{
				Name: "security", TakesValue: true, Since: "dockerfile:1.20", Default: "sandbox",
				Values:  []string{"sandbox", "insecure"},
				Summary: "Run the command without the sandbox (insecure) or with it (sandbox)",
				Doc: "`insecure` runs the command with full privileges, like `docker run " +
					"--privileged`; it needs the `security.insecure` entitlement. `sandbox` is the " +
					"default and a no-op.\n\n```dockerfile\nRUN --security=insecure mount -t tmpfs none /mnt\n```",
			},
			{
				Name: "device", TakesValue: true, Repeatable: true, Since: "dockerfile:1.27",
				Summary: "Give the command access to a CDI device (e.g. a GPU)",
				Doc: "Requests a device registered through the Container Device Interface: " +
					"`vendor.com/class`, `vendor.com/class=name`, `vendor.com/class=*`, or a class " +
					"annotation. Add `,required` to fail when it is missing. Needs the `device` " +
					"entitlement.\n\n```dockerfile\nRUN --device=nvidia.com/gpu=all nvidia-smi\n```",
				SubOptions: []OptionDoc{
					{Name: "name", Summary: "Device name (may also be given first without `name=`)"},
					{Name: "required", Bare: true, Values: []string{"true", "false"}, Summary: "Fail the build if the device is not available"},
				},
			},
		},
		Snippet: "RUN ${1:command}",
	},
	{
		Name:    "SHELL",
		Summary: "Change the shell used by shell-form instructions",
		Doc: "Sets the program and arguments that shell-form `RUN`, `CMD` and `ENTRYPOINT` use " +
			"(default `[\"/bin/sh\", \"-c\"]` on Linux). Must be JSON form.\n\n" +
			"```dockerfile\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n```",
		Syntax:  []string{`SHELL ["executable", "parameters"]`},
		Snippet: `SHELL ["${1:/bin/bash}", "${2:-c}"]`,
	},
	{
		Name:    "STOPSIGNAL",
		Summary: "Set the signal that stops the container",
		Doc: "Sets the system call signal sent to stop the container, by name or number " +
			"(default `SIGTERM`).\n\n```dockerfile\nSTOPSIGNAL SIGQUIT\n```",
		Syntax:  []string{"STOPSIGNAL <signal>"},
		Snippet: "STOPSIGNAL ${1:SIGTERM}",
	},
	{
		Name:    "USER",
		Summary: "Set the user (and group) for later instructions and the container",
		Doc: "Sets the user name or UID, and optionally the group, used by later `RUN`, `CMD` and " +
			"`ENTRYPOINT`. Without it, containers run as root.\n\n```dockerfile\nUSER 10001:10001\n```",
		Syntax:  []string{"USER <user>[:<group>]", "USER <uid>[:<gid>]"},
		Snippet: "USER ${1:user}",
	},
	{
		Name:    "VOLUME",
		Summary: "Declare mount points for externally mounted volumes",
		Doc: "Marks paths as volumes. Changes made to a volume path by later build steps are " +
			"discarded.\n\n```dockerfile\nVOLUME [\"/var/lib/data\"]\n```",
		Syntax:  []string{`VOLUME ["/path", ...]`, "VOLUME /path [/path...]"},
		Snippet: `VOLUME ["${1:/data}"]`,
	},
	{
		Name:    "WORKDIR",
		Summary: "Set the working directory for later instructions",
		Doc: "Sets the directory for later `RUN`, `CMD`, `ENTRYPOINT`, `COPY` and `ADD`, creating " +
			"it if needed. Use absolute paths; relative ones are joined to the previous `WORKDIR`.\n\n" +
			"```dockerfile\nWORKDIR /app\n```",
		Syntax:  []string{"WORKDIR <path>"},
		Snippet: "WORKDIR ${1:/app}",
	},
}

var instructionIndex = func() map[string]*InstructionDoc {
	sort.Slice(instructionList, func(i, j int) bool { return instructionList[i].Name < instructionList[j].Name })
	m := make(map[string]*InstructionDoc, len(instructionList))
	for _, in := range instructionList {
		m[in.Name] = in
	}
	return m
}()

var directiveList = []*DirectiveDoc{
	{
		Name:    "syntax",
		Summary: "Choose the Dockerfile frontend (syntax version) that builds this file",
		Doc: "Names the frontend image BuildKit uses to build the file, which fixes the Dockerfile " +
			"syntax version. Must come before any other line.\n\n```dockerfile\n# syntax=docker/dockerfile:1\n```",
		Values:  []string{"docker/dockerfile:1", "docker/dockerfile:1-labs", "docker/dockerfile-upstream:master"},
		Snippet: "# syntax=${1:docker/dockerfile:1}",
	},
	{
		Name:    "escape",
		Summary: "Set the escape character (\\ or `)",
		Doc: "Sets the character that escapes characters and continues lines: `\\` (default) or " +
			"`` ` `` (handy on Windows, where `\\` is the path separator).\n\n```dockerfile\n# escape=`\n```",
		Values:  []string{"\\", "`"},
		Snippet: "# escape=${1|\\\\,`|}",
	},
	{
		Name:    "check",
		Summary: "Configure BuildKit's build checks (skip, error)",
		Doc: "Controls the build checks: `skip=` a comma-separated list of check names (or `all`) " +
			"and `error=true` to fail the build on check warnings; combine with `;`.\n\n" +
			"```dockerfile\n# check=skip=JSONArgsRecommended;error=true\n```",
		Values:  []string{"skip=", "error=true", "skip=all"},
		Snippet: "# check=${1:skip=${2:RuleName}}",
	},
}
