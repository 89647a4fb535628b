// Thread entry when the service runs from TypeScript sources (npm start, tests): registers tsx in
// this worker thread, then hands over to cpu-tasks.ts. The built image loads cpu-tasks.js directly.
import { register } from "tsx/esm/api";

register();
const tasks = await import("./cpu-tasks.ts");
export default tasks.default;
