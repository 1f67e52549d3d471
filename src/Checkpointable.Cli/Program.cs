using System.CommandLine;
var root = new RootCommand("checkpointable");
var t = new Option<int?>("--tree", "-t");
root.Options.Add(t);
root.SetAction(r => { Console.WriteLine(r.GetValue(t)); return 0; });
return root.Parse(args).Invoke();
