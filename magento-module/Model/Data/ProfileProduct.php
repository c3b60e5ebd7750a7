<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Data;

use Gladly\Connector\Api\Data\ProfileProductInterface;
use Magento\Framework\Api\AttributeInterface;

/**
 * One catalog product of a profile: its id, status and visibility, and the custom attributes it was given.
 */
class ProfileProduct implements ProfileProductInterface
{
    private int $id;

    private ?int $status;

    private ?int $visibility;

    /** @var array<string, AttributeInterface> */
    private array $attributes = [];

    /**
     * Keep the product's fields.
     *
     * @param int $id
     * @param int|null $status
     * @param int|null $visibility
     * @param AttributeInterface[] $attributes
     */
    public function __construct(int $id, ?int $status = null, ?int $visibility = null, array $attributes = [])
    {
        $this->id = $id;
        $this->status = $status;
        $this->visibility = $visibility;
        $this->setCustomAttributes($attributes);
    }

    /**
     * @inheritdoc
     */
    public function getId(): int
    {
        return $this->id;
    }

    /**
     * @inheritdoc
     */
    public function getStatus(): ?int
    {
        return $this->status;
    }

    /**
     * @inheritdoc
     */
    public function getVisibility(): ?int
    {
        return $this->visibility;
    }

    /**
     * @inheritdoc
     */
    public function getCustomAttribute($attributeCode)
    {
        return $this->attributes[$attributeCode] ?? null;
    }

    /**
     * @inheritdoc
     */
    public function setCustomAttribute($attributeCode, $attributeValue)
    {
        $this->attributes[$attributeCode] = $attributeValue;
        return $this;
    }

    /**
     * @inheritdoc
     */
    public function getCustomAttributes()
    {
        return array_values($this->attributes);
    }

    /**
     * @inheritdoc
     */
    public function setCustomAttributes(array $attributes)
    {
        $this->attributes = [];
        foreach ($attributes as $attribute) {
            $this->attributes[$attribute->getAttributeCode()] = $attribute;
        }
        return $this;
    }
}
