using Checkpointable.Model;

namespace Checkpointable.Probes;

/// <summary>
/// The effective capabilities a program gets when this process execs it (security/commoncap.c
/// cap_bprm_creds_from_file), for `--criu-caps file`: root (euid 0) gets its bounding set whatever the file says
/// (handle_privileged_root); anyone else gets the file's permitted set within the bounding set plus the file's
/// inheritable set within its own, effective only with the file's effective flag; a file without capabilities
/// leaves a non-root user only its ambient set. Not modelled: securebits (SECBIT_NOROOT), no_new_privs, user
/// namespace root ids of revision 3.
/// </summary>
public static class ExecCapabilities
{
    public static CapabilitySet Effective(CredentialIds uids, CapabilitySet inheritable, CapabilitySet bounding, CapabilitySet ambient, FileCapabilities? file)
    {
        if (uids.Effective == 0)
        {
            return bounding.Union(inheritable).Intersect(CapabilitySet.All);
        }

        if (file is null)
        {
            return ambient;
        }

        var permitted = file.Permitted.Intersect(bounding).Union(file.Inheritable.Intersect(inheritable));
        return file.SetsEffective ? permitted : CapabilitySet.None;
    }
}
