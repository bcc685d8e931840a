// Minimal glob matching for `exclude` patterns on relative POSIX paths: `**` spans directories,
// `*` and `?` stay within one path segment. Everything else matches literally.

export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/";
      re += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export class GlobSet {
  private readonly res: RegExp[];

  constructor(globs: readonly string[]) {
    this.res = globs.map(globToRegExp);
  }

  /** A directory is tested with a trailing `/`, so `**\/node_modules/**` prunes the whole directory. */
  matches(relPath: string): boolean {
    return this.res.some((r) => r.test(relPath));
  }
}
