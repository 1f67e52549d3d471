namespace Checkpointable.Model;

/// <summary>
/// A file's capabilities (the security.capability xattr, include/uapi/linux/capability.h vfs_cap_data):
/// what an exec of it adds to the caller's set.
/// </summary>
/// <param name="Permitted">fP: granted on exec, within the bounding set.</param>
/// <param name="Inheritable">fI: granted if the caller has them inheritable.</param>
/// <param name="SetsEffective">VFS_CAP_FLAGS_EFFECTIVE: the new permitted set is also effective ("+ep").</param>
/// <param name="RootId">VFS_CAP_REVISION_3: the uid of the user namespace root the caps belong to; null for revision 2.</param>
public sealed record FileCapabilities(CapabilitySet Permitted, CapabilitySet Inheritable, bool SetsEffective, uint? RootId);
