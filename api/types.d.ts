declare global {
  namespace Express {
    interface Request {
      /** Correlates the API's log lines with the workflow it starts. */
      id: string;
    }
  }
}
export {};
