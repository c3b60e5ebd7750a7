<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\DeepLink;

/**
 * Where a deep link leads: an admin route path, its parameters, and whether the id was valid.
 */
class Redirect
{
    private string $path;

    /**
     * @var array<string, int>
     */
    private array $params;

    private bool $valid;

    /**
     * Capture the target of the redirect.
     *
     * @param string $path
     * @param array<string, int> $params
     * @param bool $valid
     */
    public function __construct(string $path, array $params, bool $valid)
    {
        $this->path = $path;
        $this->params = $params;
        $this->valid = $valid;
    }

    /**
     * Return the admin route path, e.g. "sales/order/view".
     *
     * @return string
     */
    public function getPath(): string
    {
        return $this->path;
    }

    /**
     * Return the route parameters, e.g. ['order_id' => 42].
     *
     * @return array<string, int>
     */
    public function getParams(): array
    {
        return $this->params;
    }

    /**
     * Tell whether the link carried a valid id (false: the target is the grid and an error is due).
     *
     * @return bool
     */
    public function isValid(): bool
    {
        return $this->valid;
    }
}
