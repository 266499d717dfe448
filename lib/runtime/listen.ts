import type { Server } from "node:net";

/** Binds the port, or fails with a message naming it. */
export async function listenOn(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      if (error.code === "EADDRINUSE") reject(new Error(`port ${port} on ${host} is already in use; stop what holds it or set PORT`));
      else if (error.code === "EACCES") reject(new Error(`no permission to listen on port ${port} on ${host}; choose another PORT`));
      else reject(error);
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}
